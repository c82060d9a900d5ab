import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AzureModule } from '../azure/azure.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { ThirdPartyModule } from '../third-party/third-party.module.js';
import {
  CredentialIndicator,
  ProcessIndicator,
  QueueIndicator,
  RateLimitIndicator,
  Reprobe,
  SecretIndicator,
  ThirdPartyIndicator,
} from './dependency.indicators.js';
import { HealthController } from './health.controller.js';
import { ShutdownState } from './shutdown.js';
import { StartupDiagnostics } from './startup-diagnostics.js';

/** `GET /health/live`, `GET /health/ready` and the start-up diagnostics, from the state the clients keep. */
@Module({
  imports: [
    TerminusModule.forRoot({ errorLogStyle: 'json', logger: false }),
    SecretsModule,
    QueueModule,
    AzureModule,
    ThirdPartyModule,
    RateLimitModule,
  ],
  controllers: [HealthController],
  providers: [
    StartupDiagnostics,
    ShutdownState,
    Reprobe,
    ProcessIndicator,
    SecretIndicator,
    QueueIndicator,
    CredentialIndicator,
    ThirdPartyIndicator,
    RateLimitIndicator,
  ],
})
export class HealthModule {}
