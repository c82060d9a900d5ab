import { Injectable, Module } from '@nestjs/common';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config.js';
import { AppCredential, appCredentialFor } from './app-credential.js';

/** Readiness: down while the last token request of any scope failed. */
@Injectable()
export class CredentialHealth {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly credential: AppCredential,
  ) {}

  isHealthy() {
    let down = false;
    for (const [scope, { status }] of this.credential.scopes) {
      status.reprobe(() => this.credential.getToken(scope, { enableCae: true }));
      down ||= status.state === 'down';
    }
    const check = this.indicators.check('credential');
    return down ? check.down() : check.up();
  }
}

/** Provides `AppCredential`, the one credential of every Azure client (tokens cached once), and its readiness. */
@Module({
  imports: [TerminusModule],
  providers: [{ provide: AppCredential, useFactory: appCredentialFor, inject: [AppConfig] }, CredentialHealth],
  exports: [AppCredential, CredentialHealth],
})
export class AzureModule {}
