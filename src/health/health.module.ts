import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AzureModule } from '../azure/azure.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { ThirdPartyModule } from '../third-party/third-party.module.js';
import { HealthController } from './health.controller.js';
import { ReadinessIndicators } from './readiness.indicators.js';
import { ShutdownState } from './shutdown.js';
import { StartupDiagnostics } from './startup-diagnostics.js';

/**
 * `GET /health/live`, `GET /health/ready` and the start-up diagnostics, all
 * through the services' own health and check methods.
 */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), ThirdPartyModule, QueueModule, AzureModule],
  controllers: [HealthController],
  providers: [StartupDiagnostics, ReadinessIndicators, ShutdownState],
})
export class HealthModule {}
