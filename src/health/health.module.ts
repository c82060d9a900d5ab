import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AzureModule } from '../azure/azure.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { HealthController } from './health.controller.js';
import { ShutdownState } from './shutdown.js';

/** `GET /health/live` and `GET /health/ready`, composed of the indicators the feature modules export. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false }), SecretsModule, QueueModule, AzureModule],
  controllers: [HealthController],
  providers: [ShutdownState],
})
export class HealthModule {}
