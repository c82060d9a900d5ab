import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { operatorMessage } from '../common/service-error.js';
import { CodeQueue } from '../queue/code-queue.service.js';
import { ThirdPartyClient } from '../third-party/third-party.client.js';

/**
 * At start-up, without delaying `listen`: gets a token for each Azure scope
 * the app uses, reads the third-party key once (filling the cache) and
 * checks the queue, then logs one line per dependency: who authenticated,
 * or what failed and how to fix it. The process keeps running either way.
 */
@Injectable()
export class StartupDiagnostics implements OnApplicationBootstrap {
  private readonly logger = new Logger('StartupDiagnostics');

  constructor(
    private readonly thirdParty: ThirdPartyClient,
    private readonly queue: CodeQueue,
  ) {}

  onApplicationBootstrap(): void {
    void this.check('secrets', () => this.thirdParty.checkKey());
    void this.check('queue', () => this.queue.checkAccess());
  }

  /** Logs the probe's line, or what to fix; never throws. Readiness reads the services' own state. */
  private async check(dependency: string, probe: () => Promise<string>): Promise<void> {
    try {
      this.logger.log(await probe());
    } catch (error) {
      this.logger.error(`${dependency}: ${operatorMessage(error)}`);
    }
  }
}
