export interface RateLimitPolicy {
  perClient: number;
  global: number;
  windowMs: number;
}

/** A request counted: which limit refused it (if one did), what is left of each, and when the window ends. */
export interface Verdict {
  refusedBy?: 'client' | 'global';
  clientRemaining: number;
  /** Unknown when the client's own limit refused the request (it was not counted globally). */
  globalRemaining?: number;
  resetSeconds: number;
}

export interface RateLimits {
  hit(client: string): Verdict | Promise<Verdict>;
}

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
  const windowEnd = (windowOf(policy, now) + 1) * policy.windowMs;
  const resetSeconds = Math.ceil((windowEnd - now) / 1000); // at least 1: the window ends after `now`
  const clientRemaining = Math.max(0, policy.perClient - clientHits);
  if (clientHits > policy.perClient) {
    return { refusedBy: 'client', clientRemaining, resetSeconds };
  }
  const globalRemaining = Math.max(0, policy.global - globalHits);
  const refusedBy = globalHits > policy.global ? 'global' : undefined;
  return { refusedBy, clientRemaining, globalRemaining, resetSeconds };
}

/**
 * The rate-limit fields of an answer: the IETF draft's `RateLimit-Policy` and `RateLimit` (both limits), and the
 * `RateLimit-Limit`/`-Remaining`/`-Reset` trio most clients read, for the limit closest to refusing.
 */
export function rateLimitHeaders(policy: RateLimitPolicy, verdict: Verdict): Record<string, string> {
  const { clientRemaining, globalRemaining, resetSeconds: t } = verdict;
  const w = policy.windowMs / 1000;
  const globalFirst = (globalRemaining ?? Infinity) < clientRemaining;
  const global = globalRemaining === undefined ? '' : `, "global";r=${globalRemaining};t=${t}`;
  return {
    'RateLimit-Policy': `"per-client";q=${policy.perClient};w=${w}, "global";q=${policy.global};w=${w}`,
    RateLimit: `"per-client";r=${clientRemaining};t=${t}${global}`,
    'RateLimit-Limit': String(globalFirst ? policy.global : policy.perClient),
    'RateLimit-Remaining': String(globalFirst ? globalRemaining : clientRemaining),
    'RateLimit-Reset': String(t),
  };
}
