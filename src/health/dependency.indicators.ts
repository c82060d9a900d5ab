import { Inject, Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { AppCredential } from '../azure/app-credential.js';
import type { DependencyStatus } from '../common/dependency-status.js';
import { type ThirdPartyConfig, thirdPartyConfig } from '../config/config.module.js';
import { CodeQueue } from '../queue/code-queue.service.js';
import type { RateLimits } from '../rate-limit/local-rate-limits.js';
import { RATE_LIMITS } from '../rate-limit/rate-limit.constants.js';
import { SharedRateLimits } from '../rate-limit/shared-rate-limits.js';
import { ThirdPartyClient } from '../third-party/third-party.client.js';
import { SecretsService } from '../secrets/secrets.service.js';
import { ShutdownState } from './shutdown.js';

/** While a dependency is down, readiness asks it to check again at most this often. */
const REPROBE_INTERVAL_MS = 10_000;

/**
 * Re-probes dependencies that are not up, in the background and one probe at
 * a time each, so an instance becomes ready by itself once they answer.
 */
@Injectable()
export class Reprobe {
  private readonly running = new Set<DependencyStatus>();

  ifDown(status: DependencyStatus, probe: () => Promise<unknown>): void {
    if (status.state === 'up' || this.running.has(status) || Date.now() - status.checkedAt < REPROBE_INTERVAL_MS) {
      return;
    }
    this.running.add(status);
    void probe()
      .catch(() => undefined)
      .finally(() => this.running.delete(status));
  }
}

/**
 * Readiness indicators, one per dependency, from the state the clients keep:
 * no I/O on the probe's path beyond the background re-probes. They answer
 * up or down only; what to fix is logged when a dependency goes down.
 */
@Injectable()
export class ProcessIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly shutdown: ShutdownState,
  ) {}

  isHealthy(): HealthIndicatorResult<'process'> {
    const check = this.indicators.check('process');
    return this.shutdown.draining ? check.down() : check.up();
  }
}

/** Up once the third-party key is cached (a stale value still serves). */
@Injectable()
export class SecretIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly reprobe: Reprobe,
    private readonly secrets: SecretsService,
    @Inject(thirdPartyConfig.KEY) private readonly config: ThirdPartyConfig,
  ) {}

  isHealthy(): HealthIndicatorResult<'secret'> {
    const name = this.config.apiKeySecretName;
    const status = this.secrets.status(name);
    this.reprobe.ifDown(status, () => this.secrets.get(name));
    const check = this.indicators.check('secret');
    return status.state === 'up' ? check.up() : check.down();
  }
}

/** Down after a failed queue operation, until one succeeds (or, for a sender-only identity, until it is re-probed). */
@Injectable()
export class QueueIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly reprobe: Reprobe,
    private readonly queue: CodeQueue,
  ) {}

  isHealthy(): HealthIndicatorResult<'queue'> {
    this.reprobe.ifDown(this.queue.status, () => this.queue.probe());
    const check = this.indicators.check('queue');
    return this.queue.status.state === 'down' ? check.down() : check.up();
  }
}

/** Down while the last token request of any scope failed. */
@Injectable()
export class CredentialIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly reprobe: Reprobe,
    private readonly credential: AppCredential,
  ) {}

  isHealthy(): HealthIndicatorResult<'credential'> {
    let down = false;
    for (const [scope, status] of this.credential.scopes) {
      this.reprobe.ifDown(status, () => this.credential.getToken(scope, { enableCae: true }));
      down ||= status.state === 'down';
    }
    const check = this.indicators.check('credential');
    return down ? check.down() : check.up();
  }
}

/**
 * Informational, never a reason for not ready (the third party's trouble is
 * answered per request): whether the retry budget is exhausted.
 */
@Injectable()
export class ThirdPartyIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly client: ThirdPartyClient,
  ) {}

  isHealthy(): HealthIndicatorResult<'thirdParty'> {
    const retryBudget = this.client.retryBudget().exhausted ? 'exhausted' : 'available';
    return this.indicators.check('thirdParty').up({ retryBudget });
  }
}

/**
 * Informational, never a reason for not ready (an instance serves under its
 * own limits): where the rate limits are counted. `local` when REDIS_URL is
 * not set, `shared` in Redis, `local-fallback` while Redis is not answering.
 */
@Injectable()
export class RateLimitIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(RATE_LIMITS) private readonly limits: RateLimits,
  ) {}

  isHealthy(): HealthIndicatorResult<'rateLimits'> {
    const { limits } = this;
    const store = limits instanceof SharedRateLimits ? (limits.shared ? 'shared' : 'local-fallback') : 'local';
    return this.indicators.check('rateLimits').up({ store });
  }
}
