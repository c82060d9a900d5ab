import { z } from 'zod';

const ms = (value: number) => z.number().int().nonnegative().default(value);
const count = (value: number) => z.number().int().positive().default(value);

/**
 * The numbers behind timeouts, retries, caching and the breaker, with their defaults: not settings, each chosen to
 * fit the others (docs/resilience.md). Tests shorten them with `TEST_POLICY_OVERRIDES` (this shape, as JSON).
 */
export const policiesSchema = z.strictObject({
  /** One token request: an identity endpoint that drops packets would otherwise hold it for minutes. */
  tokenTimeoutMs: ms(10_000),
  secrets: z
    .strictObject({
      cacheTtlMs: ms(3_600_000),
      refreshBackoffMs: ms(30_000),
      readTimeoutMs: ms(20_000),
    })
    .prefault({}),
  thirdParty: z
    .strictObject({
      attemptTimeoutMs: ms(10_000),
      maxRetries: z.number().int().nonnegative().default(4),
      retryBaseMs: ms(25),
      retryMaxDelayMs: ms(500),
      /** A longer Retry-After is not waited out: the caller gets 503 with it at once. */
      retryAfterLimitMs: ms(1_000),
      maxSockets: count(256),
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
  /** Admission control of GET /api/v1/getcode (AdmissionLimit). */
  admission: z
    .strictObject({
      /** Busy: the event loop was busy at least this share of a tick. */
      busyUtilization: z.number().min(0).max(1).default(0.9),
      /**
       * Nothing is refused this long after start-up: a cold instance accepts and answers slowly while V8 compiles (its
       * first fifty connections wait over a second to be accepted), which is not overload.
       */
      warmUpMs: ms(10_000),
    })
    .prefault({}),
  queue: z
    .strictObject({
      maxTries: count(3),
      tryTimeoutMs: count(5_000),
      retryDelayMs: ms(500),
      messageTtlSeconds: count(604_800),
    })
    .prefault({}),
});

export type Policies = z.infer<typeof policiesSchema>;
export type PolicyOverrides = z.input<typeof policiesSchema>;

export function policiesWith(overrides: PolicyOverrides = {}): Policies {
  return policiesSchema.parse(overrides);
}
