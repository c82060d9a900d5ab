import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { AppCredential } from '../azure/app-credential.js';
import { CodeQueue } from '../queue/code-queue.service.js';
import { ThirdPartyClient } from '../third-party/third-party.client.js';
import { ShutdownState } from './shutdown.js';

/**
 * Readiness checks built from the services' own state: no I/O on the probe's
 * path, no third-party call, no Key Vault read beyond what the secret cache
 * does anyway.
 */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly thirdParty: ThirdPartyClient,
    private readonly queue: CodeQueue,
    private readonly credential: AppCredential,
    private readonly shutdown: ShutdownState,
  ) {}

  running(): HealthIndicatorResult<'process'> {
    const check = this.indicators.check('process');
    return this.shutdown.draining ? check.down({ detail: 'shutting down' }) : check.up();
  }

  secret(): HealthIndicatorResult<'secret'> {
    const { available, detail } = this.thirdParty.keyHealth();
    const check = this.indicators.check('secret');
    return available ? check.up({ detail }) : check.down({ detail });
  }

  queueWrites(): HealthIndicatorResult<'queue'> {
    const { available, detail } = this.queue.health();
    const check = this.indicators.check('queue');
    return available ? check.up({ detail }) : check.down({ detail });
  }

  token(): HealthIndicatorResult<'credential'> {
    const { available, scopes } = this.credential.health();
    const check = this.indicators.check('credential');
    return available ? check.up({ scopes }) : check.down({ scopes });
  }
}
