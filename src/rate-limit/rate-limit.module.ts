import { Module } from '@nestjs/common';
import { AppCredential } from '../azure/app-credential.js';
import { AzureModule } from '../azure/azure.module.js';
import { SecretRedaction } from '../common/secret-redaction.js';
import { appConfig, type AppSettings, type RateLimitConfig, rateLimitConfig } from '../config/config.module.js';
import { LocalRateLimits, type RateLimits } from './local-rate-limits.js';
import { RATE_LIMITS } from './rate-limit.constants.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { createRedisClient, hasPassword, redisTarget } from './redis-client.js';
import { redisFailure } from './redis-errors.js';
import { SharedRateLimits } from './shared-rate-limits.js';

const MINUTE_MS = 60_000;

async function rateLimits(
  config: RateLimitConfig,
  credential: AppCredential,
  app: AppSettings,
  redaction: SecretRedaction,
): Promise<RateLimits> {
  if (app.disabledLayers.has('rate-limit')) {
    return { hit: () => ({}) };
  }
  const policy = { perClient: config.perClient, global: config.global, windowMs: MINUTE_MS };
  const local = new LocalRateLimits(policy);
  if (!config.redisUrl) {
    return local;
  }
  const url = config.redisUrl;
  // A local Redis's password, should any line ever carry it.
  redaction.add(decodeURIComponent(new URL(url).password));
  const describe = (error: unknown) => redisFailure(redisTarget(url), !hasPassword(url), error);
  return new SharedRateLimits(await createRedisClient(url, credential), local, policy, describe);
}

/**
 * Two limits on the endpoint that spends third-party quota, each per minute:
 * per client address and for the whole service. Shared by every instance in
 * Redis when REDIS_URL is set, counted by each instance otherwise. Routes opt
 * in with `@UseGuards(RateLimitGuard)`.
 */
@Module({
  imports: [AzureModule],
  providers: [
    RateLimitGuard,
    {
      provide: RATE_LIMITS,
      useFactory: rateLimits,
      inject: [rateLimitConfig.KEY, AppCredential, appConfig.KEY, SecretRedaction],
    },
  ],
  exports: [RateLimitGuard, RATE_LIMITS],
})
export class RateLimitModule {}
