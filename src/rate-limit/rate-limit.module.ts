import { Module } from '@nestjs/common';
import { AppCredential } from '../azure/app-credential.js';
import { REDIS_SCOPE } from '../azure/app-credential.js';
import { AzureModule } from '../azure/azure.module.js';
import { logStartup } from '../common/dependency-status.js';
import { SecretRedaction } from '../common/secret-redaction.js';
import { AppConfig } from '../config/app-config.js';
import { LocalRateLimits } from './local-rate-limits.js';
import { RateLimitGuard, rateLimitPolicy } from './rate-limit.guard.js';
import { RATE_LIMITS, type RateLimits } from './rate-limits.js';
import { createRedisClient, redisTarget } from './redis-client.js';
import { redisFailure } from './redis-client.js';
import { SharedRateLimits } from './shared-rate-limits.js';

async function rateLimits(
  config: AppConfig,
  credential: AppCredential,
  redaction: SecretRedaction,
): Promise<RateLimits> {
  const { env } = config;
  const policy = rateLimitPolicy(config);
  const local = new LocalRateLimits(policy);
  if (!env.REDIS_URL) {
    void logStartup('redis', () =>
      Promise.resolve(
        'Rate limits: counted by this instance (REDIS_URL is not set; see docs/scale-out.md before scaling out)',
      ),
    );
    return local;
  }
  const redis = redisTarget(env.REDIS_URL);
  // A local Redis's password, should any line ever carry it.
  redaction.add(redis.password);
  const describe = (error: unknown) => redisFailure(redis.address, !redis.password, error);
  const shared = new SharedRateLimits(await createRedisClient(redis, credential), local, policy, describe);
  void logStartup('redis', async () => {
    await shared.firstConnection;
    const how = redis.password
      ? 'with the password in REDIS_URL (local development)'
      : `with a token as ${credential.identityFor(REDIS_SCOPE) ?? 'an unknown identity'}`;
    return `Redis ${redis.address}: reachable ${how}; rate limits are shared by every instance`;
  });
  return shared;
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
    { provide: RATE_LIMITS, useFactory: rateLimits, inject: [AppConfig, AppCredential, SecretRedaction] },
  ],
  exports: [RateLimitGuard, RATE_LIMITS],
})
export class RateLimitModule {}
