import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { operatorMessage } from '../common/service-error.js';
import { CodeQueue } from '../queue/code-queue.service.js';
import { ThirdPartyClient } from '../third-party/third-party.client.js';

export interface DependencyCheck {
  dependency: string;
  ok: boolean;
  /** The success line, or what to fix. Never a secret. */
  message: string;
}

/**
 * At start-up, without delaying `listen`: gets a token for each Azure scope
 * the app uses, reads the third-party key once (filling the cache) and
 * checks the queue, then logs one line per dependency: who authenticated,
 * or what failed and how to fix it. The process keeps running either way.
 */
@Injectable()
export class StartupDiagnostics implements OnApplicationBootstrap {
  private readonly logger = new Logger('StartupDiagnostics');
  /** Settles when every check has finished; holds their results. */
  completed: Promise<DependencyCheck[]> = Promise.resolve([]);

  constructor(
    private readonly thirdParty: ThirdPartyClient,
    private readonly queue: CodeQueue,
  ) {}

  onApplicationBootstrap(): void {
    this.completed = Promise.all([
      this.check('secrets', () => this.thirdParty.checkKey()),
      this.check('queue', () => this.queue.checkAccess()),
    ]);
  }

  private async check(dependency: string, probe: () => Promise<string>): Promise<DependencyCheck> {
    try {
      const message = await probe();
      this.logger.log(message);
      return { dependency, ok: true, message };
    } catch (error) {
      const message = operatorMessage(error);
      this.logger.error(`${dependency}: ${message}`);
      return { dependency, ok: false, message };
    }
  }
}
