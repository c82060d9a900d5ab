import { type ExecutionContext, Injectable, Module } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, ThrottlerModule } from '@nestjs/throttler';
import type { Request } from 'express';
import { type RateLimitConfig, rateLimitConfig } from '../config/config.module.js';
import { ServiceError } from './service-error.js';

const MINUTE_MS = 60_000;
/** The tracker shared by every request: the instance-wide limit. */
const INSTANCE = 'instance';

export class RateLimitedError extends ServiceError {
  readonly code = 'RATE_LIMITED';
  readonly status = 429;

  constructor(
    detail: string,
    override readonly retryAfterSeconds: number,
  ) {
    super(detail);
  }
}

/**
 * The client's address as rate limiting sees it: Express's `req.ip`, which
 * honours X-Forwarded-For only as far as TRUST_PROXY allows, without a port
 * (App Service's front end forwards "ip:port").
 */
export function clientAddress(req: Request): string {
  const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  const ipv4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(ip);
  const ipv6WithPort = /^\[([0-9a-fA-F:.]+)\]:\d+$/.exec(ip);
  return ipv4WithPort?.[1] ?? ipv6WithPort?.[1] ?? ip;
}

/** `ThrottlerGuard` whose refusals are problem+json 429s with Retry-After. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    return Promise.resolve(clientAddress(req as unknown as Request));
  }

  protected override throwThrottlingException(_context: ExecutionContext, limit: ThrottlerLimitDetail): Promise<void> {
    const detail =
      limit.tracker === INSTANCE
        ? 'The service is at its request limit for this minute; try again later.'
        : 'Too many requests from this client; try again later.';
    throw new RateLimitedError(detail, Math.max(1, Math.ceil(limit.timeToBlockExpire)));
  }
}

/**
 * Two limits on the endpoint that spends third-party quota: per client IP
 * (RATE_LIMIT_PER_CLIENT a minute) and per instance (RATE_LIMIT_GLOBAL a
 * minute). Routes opt in with `@UseGuards(RateLimitGuard)`.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [rateLimitConfig.KEY],
      useFactory: (config: RateLimitConfig) => ({
        setHeaders: false,
        throttlers: [
          { name: 'client', ttl: MINUTE_MS, limit: config.perClient },
          { name: 'instance', ttl: MINUTE_MS, limit: config.global, getTracker: () => INSTANCE },
        ],
      }),
    }),
  ],
  providers: [RateLimitGuard],
  exports: [RateLimitGuard, ThrottlerModule],
})
export class RateLimitModule {}
