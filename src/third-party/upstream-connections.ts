import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type Dispatcher, EnvHttpProxyAgent } from 'undici';
import { type ThirdPartyConfig, thirdPartyConfig } from '../config/config.module.js';

/**
 * The kept-alive connections to the third party (undici; at most
 * `maxSockets` per origin; HTTP(S)_PROXY and NO_PROXY honoured). Closed on
 * shutdown, which would otherwise wait for their idle timeout.
 */
@Injectable()
export class UpstreamConnections implements OnModuleDestroy {
  readonly dispatcher: Dispatcher;

  constructor(@Inject(thirdPartyConfig.KEY) config: ThirdPartyConfig) {
    // NO_PROXY read once: left to undici, it is read from the environment again on every request.
    const noProxy = process.env.no_proxy ?? process.env.NO_PROXY ?? '';
    this.dispatcher = new EnvHttpProxyAgent({ connections: config.maxSockets, noProxy });
  }

  async onModuleDestroy(): Promise<void> {
    await this.dispatcher.destroy();
  }
}
