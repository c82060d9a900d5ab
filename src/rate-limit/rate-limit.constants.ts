/** The `RateLimits` the guard counts with: shared in Redis when REDIS_URL is set, this instance's otherwise. */
export const RATE_LIMITS = Symbol('RATE_LIMITS');
