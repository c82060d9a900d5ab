export interface RateLimitPolicy {
  perClient: number;
  global: number;
  windowMs: number;
}

/** Which limit refused a request, and when its window ends. */
export type Verdict = { refusedBy?: undefined } | { refusedBy: 'client' | 'global'; retryAfterSeconds: number };

export interface RateLimits {
  hit(client: string): Verdict | Promise<Verdict>;
}

const ALLOWED: Verdict = {};

/** The `RateLimits` the guard counts with: shared in Redis when REDIS_URL is set, this instance's otherwise. */
export const RATE_LIMITS = Symbol('RATE_LIMITS');

/** Windows are aligned to the clock, so every instance agrees on them without talking. */
export function windowOf(policy: RateLimitPolicy, now: number): number {
  return Math.floor(now / policy.windowMs);
}

/**
 * The verdict for the `clientHits`-th request of a client and `globalHits`-th of the service in this window. A request
 * its client's limit refuses is not counted globally (0), so one busy client cannot use up everyone's share.
 */
export function verdictFor(policy: RateLimitPolicy, clientHits: number, globalHits: number, now: number): Verdict {
  if (clientHits <= policy.perClient && globalHits <= policy.global) {
    return ALLOWED;
  }
  const windowEnd = (windowOf(policy, now) + 1) * policy.windowMs;
  const retryAfterSeconds = Math.max(1, Math.ceil((windowEnd - now) / 1000));
  return { refusedBy: clientHits > policy.perClient ? 'client' : 'global', retryAfterSeconds };
}
