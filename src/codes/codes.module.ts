import { Module } from '@nestjs/common';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { ThirdPartyModule } from '../third-party/third-party.module.js';
import { CodesController } from './codes.controller.js';
import { CodesService } from './codes.service.js';

/** `GET /api/v1/getcode`: third-party number -> code -> queue message -> answer. */
@Module({
  imports: [ThirdPartyModule, QueueModule, RateLimitModule],
  controllers: [CodesController],
  providers: [CodesService],
})
export class CodesModule {}
