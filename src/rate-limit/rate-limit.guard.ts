import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ServiceError } from '../common/service-error.js';
import { AppConfig } from '../config/app-config.js';
import { RATE_LIMITS, type RateLimitPolicy, type RateLimits, rateLimitHeaders } from './rate-limits.js';

export const RATE_LIMIT_DETAIL = {
  client: 'Too many requests from this client; try again later.',
  global: 'The service is at its request limit for this minute; try again later.',
};

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

/** `req.ip` (X-Forwarded-For as far as TRUST_PROXY allows) without the port App Service's front end adds. */
export function clientAddress(req: Request): string {
  const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  const ipv4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(ip);
  const ipv6WithPort = /^\[([0-9a-fA-F:.]+)\]:\d+$/.exec(ip);
  return ipv4WithPort?.[1] ?? ipv6WithPort?.[1] ?? ip;
}

export function rateLimitPolicy({ env }: AppConfig): RateLimitPolicy {
  return { perClient: env.RATE_LIMIT_PER_CLIENT, global: env.RATE_LIMIT_GLOBAL, windowMs: 60_000 };
}

/**
 * Counts the request against the per-client and global limits and says so in the answer's rate-limit fields;
 * refuses with problem+json 429 and a `Retry-After` equal to `RateLimit-Reset`.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly policy: RateLimitPolicy;

  constructor(
    @Inject(RATE_LIMITS) private readonly limits: RateLimits,
    config: AppConfig,
  ) {
    this.policy = rateLimitPolicy(config);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const verdict = await this.limits.hit(clientAddress(http.getRequest<Request>()));
    http.getResponse<Response>().set(rateLimitHeaders(this.policy, verdict));
    if (verdict.refusedBy) {
      throw new RateLimitedError(RATE_LIMIT_DETAIL[verdict.refusedBy], verdict.resetSeconds);
    }
    return true;
  }
}
