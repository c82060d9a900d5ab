import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { type RateLimitConfig, rateLimitConfig } from '../config/config.module.js';
import { INSTANCE_TRACKER, RateLimitGuard } from './rate-limit.guard.js';

const MINUTE_MS = 60_000;

/**
 * Two limits on the endpoint that spends third-party quota: per client
 * address and for the whole instance, each per minute. Routes opt in with
 * `@UseGuards(RateLimitGuard)`.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [rateLimitConfig.KEY],
      useFactory: (config: RateLimitConfig) => ({
        setHeaders: false,
        throttlers: [
          { name: 'client', ttl: MINUTE_MS, limit: config.perClient },
          { name: 'instance', ttl: MINUTE_MS, limit: config.global, getTracker: () => INSTANCE_TRACKER },
        ],
      }),
    }),
  ],
  providers: [RateLimitGuard],
  exports: [RateLimitGuard, ThrottlerModule],
})
export class RateLimitModule {}
