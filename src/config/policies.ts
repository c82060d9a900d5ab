import { z } from 'zod';

const ms = (value: number) => z.number().int().nonnegative().default(value);
const count = (value: number) => z.number().int().positive().default(value);

/**
 * The numbers behind timeouts, retries, caching and the circuit breaker, with
 * their defaults. They are not settings: an operator has no reason to change
 * them, and each is chosen to fit the others (docs/resilience.md). Tests
 * shorten them with the test-only `TEST_POLICY_OVERRIDES` (this shape, as JSON).
 */
export const policiesSchema = z.strictObject({
  /** One token request: an identity endpoint that drops packets would otherwise hold it for minutes. */
  tokenTimeoutMs: ms(10_000),
  secrets: z
    .strictObject({
      /** Serve a value from memory this long, then refresh it in the background (a 401 re-reads at once). */
      cacheTtlMs: ms(3_600_000),
      /** First wait after a failed read; it doubles with each failure, up to 5 minutes. */
      refreshBackoffMs: ms(30_000),
      /** One Key Vault read, the SDK's retries included. */
      readTimeoutMs: ms(20_000),
    })
    .prefault({}),
  thirdParty: z
    .strictObject({
      attemptTimeoutMs: ms(10_000),
      /** At 30 % failures, 0.3^5 of calls fail. */
      maxRetries: z.number().int().nonnegative().default(4),
      retryBaseMs: ms(25),
      retryMaxDelayMs: ms(500),
      /** A longer Retry-After is not waited out: the caller gets 503 with it at once. */
      retryAfterLimitMs: ms(1_000),
      maxSockets: count(256),
      /** Concurrent calls per instance (bulkhead, no queue). */
      maxConcurrency: count(1_000),
      breaker: z
        .strictObject({
          threshold: z.number().min(0).max(1).default(0.1),
          minCalls: count(10),
          windowMs: count(30_000),
          openMs: ms(5_000),
        })
        .prefault({}),
    })
    .prefault({}),
  queue: z
    .strictObject({
      maxTries: count(3),
      tryTimeoutMs: count(5_000),
      retryDelayMs: ms(500),
      /** Seven days, the service's maximum. */
      messageTtlSeconds: count(604_800),
    })
    .prefault({}),
});

export type Policies = z.infer<typeof policiesSchema>;
export type PolicyOverrides = z.input<typeof policiesSchema>;

/** The default policies with `overrides` applied. */
export function policiesWith(overrides: PolicyOverrides = {}): Policies {
  return policiesSchema.parse(overrides);
}
