import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppCredential } from '../azure/app-credential.js';
import { STORAGE_SCOPE } from '../azure/app-credential.js';
import { logStartup } from '../common/dependency-status.js';
import { CodeQueue } from './code-queue.service.js';

/** The queue's start-up line and readiness. */
@Injectable()
export class QueueHealth implements OnApplicationBootstrap {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly queue: CodeQueue,
    private readonly credential: AppCredential,
  ) {}

  onApplicationBootstrap(): void {
    void logStartup('queue', async () => {
      const outcome = await this.queue.startup;
      if (typeof outcome !== 'string') {
        throw outcome;
      }
      if (outcome === 'not checked') {
        return `Storage ${this.queue.target}: not checked at start-up (QUEUE_CREATE_IF_NOT_EXISTS=false)`;
      }
      const who = this.credential.identityFor(STORAGE_SCOPE);
      const how = who ? `with a token as ${who}` : 'with a connection string (local development)';
      return `Storage ${this.queue.target}: reachable ${how}; queue ${outcome}`;
    });
  }

  /** Down after a failed queue operation, until one succeeds (or, for a sender-only identity, it is re-probed). */
  isHealthy() {
    this.queue.status.reprobe(() => this.queue.probe());
    const check = this.indicators.check('queue');
    return this.queue.status.state === 'down' ? check.down() : check.up();
  }
}
