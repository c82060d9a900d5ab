import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  circuitBreaker,
  handleWhen,
  type IRetryContext,
  IsolatedCircuitError,
  retry,
  SamplingBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import type { ThirdPartyConfig } from '../config/config.module.js';
import { RetryBudget, type RetryBudgetState } from './retry-budget.js';
import { thirdPartyBackoff } from './third-party.backoff.js';
import { logBudget, logTransitions, type PolicyLogger } from './third-party.policy-log.js';
import {
  THIRD_PARTY_DETAIL,
  ThirdPartyBadResponseError,
  ThirdPartyBusyError,
  ThirdPartyCircuitOpenError,
  ThirdPartyStatusError,
  ThirdPartyTimeoutError,
  ThirdPartyUnreachableError,
} from './third-party.errors.js';

type Config = ThirdPartyConfig;

/** 408, 429, 5xx, timeouts and network errors are worth another attempt; other answers are not. */
export function isTransient(error: unknown): boolean {
  if (error instanceof ThirdPartyStatusError) {
    return error.upstreamStatus === 408 || error.upstreamStatus === 429 || error.upstreamStatus >= 500;
  }
  return error instanceof ThirdPartyTimeoutError || error instanceof ThirdPartyUnreachableError;
}

/** A transient failure the retry budget refused to retry: carried through the pipeline as the final answer. */
class RetryRefused extends Error {
  constructor(readonly failure: unknown) {
    super('retry refused by the retry budget');
  }
}

const unwrap = (error: unknown): unknown => (error instanceof RetryRefused ? error.failure : error);

/** What the breaker counts as the third party failing (a rejected key is our configuration, not its health). */
function isUpstreamFailure(error: unknown): boolean {
  const failure = unwrap(error);
  return isTransient(failure) || failure instanceof ThirdPartyBadResponseError;
}

/** The pipeline the client runs each call through, and the state of its retry budget. */
export interface ThirdPartyPipeline {
  /** Runs `attempt`, again after a transient failure while retries and the budget allow; `deadline` cancels it all. */
  execute<T>(attempt: (signal: AbortSignal) => Promise<T>, deadline?: AbortSignal): Promise<T>;
  retryBudget(): RetryBudgetState;
}

/**
 * The third-party call's resilience pipeline (cockatiel), outermost first:
 * a bulkhead (concurrent calls per instance, no queue), a circuit breaker
 * (opens when at least `threshold` of at least `minCalls` calls in
 * `windowMs` fail; stays open `openMs`), the total time budget, and retries
 * of transient failures after a short decorrelated-jitter wait, each taken
 * from the instance's retry budget (see `RetryBudget`). The per-attempt
 * timeout is axios's own. Each execution gets an abort signal that fires
 * when the budget runs out. With a `logger`, each retry, each change of the
 * breaker's state and of the retry budget's is logged (one line each, with
 * the reason, never the key).
 */
export function createThirdPartyPolicy(config: Config, logger?: PolicyLogger): ThirdPartyPipeline {
  const budget = new RetryBudget(config.retryBudget, logger && ((state) => logBudget(logger, config, state)));
  const pipeline = resiliencePipeline(config, logger);
  return {
    execute: (attempt, deadline) =>
      pipeline.execute((context) => budgetedAttempt(attempt, context, budget, config.maxRetries), deadline),
    retryBudget: () => budget.state(),
  };
}

/** No pipeline at all: each call is one attempt (only `BENCH_DISABLE=resilience` uses it, to measure what the pipeline costs). */
export function unprotectedPolicy(config: Config): ThirdPartyPipeline {
  const budget = new RetryBudget(config.retryBudget);
  return {
    execute: (attempt, deadline) => attempt(deadline ?? new AbortController().signal),
    retryBudget: () => budget.state(),
  };
}

function resiliencePipeline(config: Config, logger?: PolicyLogger) {
  const { threshold, minCalls, windowMs, openMs } = config.breaker;
  const breaker = circuitBreaker(handleWhen(isUpstreamFailure), {
    halfOpenAfter: openMs,
    breaker: new SamplingBreaker({ threshold, duration: windowMs, minimumRps: minCalls / (windowMs / 1000) }),
  });
  const backoff = thirdPartyBackoff(config);
  const retries = retry(handleWhen(isTransient), { maxAttempts: config.maxRetries, backoff });
  if (logger) {
    logTransitions(logger, config, retries, breaker);
  }
  return wrap(
    bulkhead(config.maxConcurrency, 0),
    breaker,
    // Not aborted when the call returns: that would build a cancellation error in axios on every success.
    timeout(config.budgetMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }),
    retries,
  );
}

/**
 * One attempt: a success is counted in the budget; a transient failure that
 * a retry could follow takes one from the budget, or, when it has none left,
 * is marked so the retry policy lets it through as the answer.
 */
async function budgetedAttempt<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  context: IRetryContext,
  budget: RetryBudget,
  maxRetries: number,
): Promise<T> {
  try {
    const value = await attempt(context.signal);
    budget.recordSuccess();
    return value;
  } catch (error) {
    const retryable = isTransient(error) && context.attempt < maxRetries && !context.signal.aborted;
    throw retryable && !budget.tryRetry() ? new RetryRefused(error) : error;
  }
}

/** Turns the pipeline's own refusals into our errors; passes everything else through. */
export function translatePolicyError(thrown: unknown, config: Config): unknown {
  const error = unwrap(thrown);
  if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
    return new ThirdPartyCircuitOpenError(
      THIRD_PARTY_DETAIL.paused,
      `Circuit breaker open after repeated third-party failures; calls resume in ${config.breaker.openMs} ms.`,
      Math.max(1, Math.ceil(config.breaker.openMs / 1000)),
    );
  }
  if (error instanceof BulkheadRejectedError) {
    return new ThirdPartyBusyError(
      THIRD_PARTY_DETAIL.busy,
      `Bulkhead full: ${config.maxConcurrency} concurrent third-party calls on this instance.`,
    );
  }
  if (error instanceof TaskCancelledError) {
    return new ThirdPartyTimeoutError(
      THIRD_PARTY_DETAIL.late,
      `Third-party call did not succeed within its ${config.budgetMs} ms budget, retries included.`,
    );
  }
  return error;
}
