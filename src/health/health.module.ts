import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module.js';
import { ThirdPartyModule } from '../third-party/third-party.module.js';
import { StartupDiagnostics } from './startup-diagnostics.js';

/** Start-up diagnostics of every dependency, through the services' own check methods. */
@Module({
  imports: [ThirdPartyModule, QueueModule],
  providers: [StartupDiagnostics],
})
export class HealthModule {}
