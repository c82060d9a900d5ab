import { z } from 'zod';

/**
 * The numbers behind timeouts, retries, caching and the circuit breaker.
 * They are not settings: an operator has no reason to change them, and each
 * one is chosen to fit the others (see docs/resilience.md). Tests that need
 * short policies pass their own through the typed configuration.
 */
export const DEFAULT_POLICIES = {
  /** One token request; an identity endpoint that drops packets would otherwise hold it for minutes. */
  tokenTimeoutMs: 10_000,
  secrets: {
    /** Serve a value from memory this long, then refresh it in the background (a 401 re-reads at once). */
    cacheTtlMs: 3_600_000,
    /** First wait after a failed read; it doubles with each failure, up to 5 minutes. */
    refreshBackoffMs: 30_000,
    /** One Key Vault read, the SDK's retries included; longer than a token request. */
    readTimeoutMs: 20_000,
  },
  thirdParty: {
    attemptTimeoutMs: 10_000,
    /** Total time for the call, retries included; by default the request's whole budget. */
    budgetMs: undefined as number | undefined,
    /** Retries of a transient failure, each taken from the retry budget (at 30 % failures, 0.3^5 of calls fail). */
    maxRetries: 4,
    /** Decorrelated jitter: the first wait is 25-75 ms, each next one 25 ms to 3x the last, at most retryMaxDelayMs. */
    retryBaseMs: 25,
    retryMaxDelayMs: 500,
    /**
     * Retries per instance: perSuccess for each successful call in the sliding window, plus minPerSecond. A flaky
     * upstream earns its retries with its successes; one that fails every call gets only the floor.
     */
    retryBudget: { perSuccess: 0.8, minPerSecond: 5, windowMs: 10_000 },
    maxSockets: 256,
    /** Concurrent calls per instance (bulkhead, no queue). */
    maxConcurrency: 1_000,
    breaker: { threshold: 0.1, minCalls: 10, windowMs: 30_000, openMs: 5_000 },
  },
  queue: {
    /** The Storage SDK's retry policy; its worst case must fit in the request budget. */
    maxTries: 3,
    tryTimeoutMs: 5_000,
    retryDelayMs: 500,
    /** Seven days, the service's maximum. */
    messageTtlSeconds: 604_800,
  },
};

export type Policies = typeof DEFAULT_POLICIES;

export type PolicyOverrides = {
  [K in keyof Policies]?: Policies[K] extends object ? Partial<Policies[K]> : Policies[K];
};

/** The defaults with `overrides` applied one section deep (the breaker and the retry budget as a whole). */
export function policiesWith(overrides: PolicyOverrides = {}): Policies {
  const { secrets, thirdParty, queue, ...top } = overrides;
  return {
    ...DEFAULT_POLICIES,
    ...top,
    secrets: { ...DEFAULT_POLICIES.secrets, ...secrets },
    thirdParty: { ...DEFAULT_POLICIES.thirdParty, ...thirdParty },
    queue: { ...DEFAULT_POLICIES.queue, ...queue },
  };
}

/** Test-only: the built app's tests shorten the policies with this variable (refused on App Service). */
export const TEST_POLICIES_VARIABLE = 'TEST_POLICY_OVERRIDES';

const number = z.number().nonnegative();
const overridesShape = z.strictObject({
  tokenTimeoutMs: number.optional(),
  secrets: z.strictObject({ cacheTtlMs: number, refreshBackoffMs: number, readTimeoutMs: number }).partial().optional(),
  thirdParty: z
    .strictObject({
      attemptTimeoutMs: number,
      budgetMs: number,
      maxRetries: number,
      retryBaseMs: number,
      retryMaxDelayMs: number,
      retryBudget: z.strictObject({ perSuccess: number, minPerSecond: number, windowMs: number.positive() }),
      maxSockets: number,
      maxConcurrency: number,
      breaker: z.strictObject({ threshold: number, minCalls: number, windowMs: number, openMs: number }),
    })
    .partial()
    .optional(),
  queue: z
    .strictObject({ maxTries: number, tryTimeoutMs: number, retryDelayMs: number, messageTtlSeconds: number })
    .partial()
    .optional(),
});

/** Reads `TEST_POLICY_OVERRIDES` (JSON); a list of problems when it is malformed or set on App Service. */
export function testPolicyOverrides(env: NodeJS.ProcessEnv): PolicyOverrides | string[] {
  const text = env[TEST_POLICIES_VARIABLE]?.trim();
  if (!text) {
    return {};
  }
  if (env.WEBSITE_SITE_NAME) {
    return [`${TEST_POLICIES_VARIABLE} is for tests only and is refused on App Service: remove it`];
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [`${TEST_POLICIES_VARIABLE} must be JSON`];
  }
  const result = overridesShape.safeParse(json);
  return result.success
    ? result.data
    : result.error.issues.map((issue) => `${TEST_POLICIES_VARIABLE}.${issue.path.join('.')}: ${issue.message}`);
}

/** Test-only: `npm run bench` switches layers off one at a time with this variable to measure what each costs. */
export const BENCH_DISABLE_VARIABLE = 'BENCH_DISABLE';
export const BENCH_LAYERS = [
  'logging',
  'rate-limit',
  'security-headers',
  'resilience',
  'request-budget',
  'http-adapter',
] as const;
export type BenchLayer = (typeof BENCH_LAYERS)[number];

/** Reads `BENCH_DISABLE` (comma-separated layer names); a list of problems when it names others or is set on App Service. */
export function benchDisabledLayers(env: NodeJS.ProcessEnv): ReadonlySet<BenchLayer> | string[] {
  const names = (env[BENCH_DISABLE_VARIABLE] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length > 0 && env.WEBSITE_SITE_NAME) {
    return [`${BENCH_DISABLE_VARIABLE} is for benchmarks only and is refused on App Service: remove it`];
  }
  const unknown = names.filter((name) => !(BENCH_LAYERS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    return [`${BENCH_DISABLE_VARIABLE} names unknown layers (${unknown.join(', ')}): use ${BENCH_LAYERS.join(', ')}`];
  }
  return new Set(names as BenchLayer[]);
}
