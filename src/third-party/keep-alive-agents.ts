import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type ThirdPartyConfig, thirdPartyConfig } from '../config/config.module.js';

/** The kept-alive sockets to the third party; closed on shutdown, which would otherwise wait for their idle timeout. */
@Injectable()
export class KeepAliveAgents implements OnModuleDestroy {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;

  constructor(@Inject(thirdPartyConfig.KEY) config: ThirdPartyConfig) {
    const options = { keepAlive: true, maxSockets: config.maxSockets };
    this.http = new HttpAgent(options);
    this.https = new HttpsAgent(options);
  }

  onModuleDestroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
