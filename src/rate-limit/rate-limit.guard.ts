import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ServiceError } from '../common/service-error.js';
import { RATE_LIMITS, type RateLimits } from './rate-limits.js';

/** What a client is told when it, or the whole instance, is at its limit. */
export const RATE_LIMIT_DETAIL = {
  client: 'Too many requests from this client; try again later.',
  global: 'The service is at its request limit for this minute; try again later.',
};

/** A rate limit was reached: 429 with `Retry-After`. */
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

/** Counts the request against the per-client and global limits; refuses with problem+json 429 and `Retry-After`. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(@Inject(RATE_LIMITS) private readonly limits: RateLimits) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const verdict = await this.limits.hit(clientAddress(context.switchToHttp().getRequest<Request>()));
    if (verdict.refusedBy) {
      throw new RateLimitedError(RATE_LIMIT_DETAIL[verdict.refusedBy], verdict.retryAfterSeconds);
    }
    return true;
  }
}
