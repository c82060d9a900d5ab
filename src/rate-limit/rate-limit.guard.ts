import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Request } from 'express';
import { RATE_LIMIT_DETAIL, RateLimitedError } from './rate-limit.errors.js';

/** The tracker shared by every request: the instance-wide limit. */
export const INSTANCE_TRACKER = 'instance';

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

/** `ThrottlerGuard` that tracks clients by address and refuses with problem+json 429s and `Retry-After`. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    return Promise.resolve(clientAddress(req as unknown as Request));
  }

  protected override throwThrottlingException(_context: ExecutionContext, limit: ThrottlerLimitDetail): Promise<void> {
    const detail = limit.tracker === INSTANCE_TRACKER ? RATE_LIMIT_DETAIL.instance : RATE_LIMIT_DETAIL.client;
    throw new RateLimitedError(detail, Math.max(1, Math.ceil(limit.timeToBlockExpire)));
  }
}
