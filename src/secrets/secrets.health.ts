import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppCredential } from '../azure/app-credential.js';
import { KEY_VAULT_SCOPE } from '../azure/app-credential.js';
import { logStartup } from '../common/dependency-status.js';
import { AppConfig } from '../config/app-config.js';
import { SecretsService } from './secrets.service.js';

/** The third-party key's start-up line and readiness. */
@Injectable()
export class SecretsHealth implements OnApplicationBootstrap {
  private readonly name: string;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly secrets: SecretsService,
    private readonly credential: AppCredential,
    config: AppConfig,
  ) {
    this.name = config.env.THIRD_PARTY_API_SECRET_NAME;
  }

  /** Reads the key once, without delaying `listen` (a failure is cached, so requests are answered at once). */
  onApplicationBootstrap(): void {
    void logStartup('secrets', async () => {
      await this.secrets.get(this.name);
      const who = this.credential.identityFor(KEY_VAULT_SCOPE);
      return `${this.secrets.sourceDescription}: secret "${this.name}" is readable${who ? ` as ${who}` : ''}`;
    });
  }

  /** Up once the key is cached (a stale value still serves). */
  isHealthy() {
    const status = this.secrets.status(this.name);
    status.reprobe(() => this.secrets.get(this.name));
    const check = this.indicators.check('secret');
    return status.state === 'up' ? check.up() : check.down();
  }
}
