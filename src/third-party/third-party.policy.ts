import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  circuitBreaker,
  DelegateBackoff,
  handleWhen,
  type IPolicy,
  type IRetryBackoffContext,
  IsolatedCircuitError,
  retry,
  SamplingBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import type { LoggerService } from '@nestjs/common';
import { operatorMessage } from '../common/service-error.js';
import type { ThirdPartyConfig } from '../config/config.module.js';
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

/** What the breaker counts as the third party failing (a rejected key is our configuration, not its health). */
function isUpstreamFailure(error: unknown): boolean {
  return isTransient(error) || error instanceof ThirdPartyBadResponseError;
}

/** Exponential backoff with jitter, or the third party's Retry-After when it sent one that fits the budget. */
function backoff(config: Config): DelegateBackoff<IRetryBackoffContext<unknown>> {
  return new DelegateBackoff((context) => {
    const error = 'error' in context.result ? context.result.error : undefined;
    const retryAfter = error instanceof ThirdPartyStatusError ? error.upstreamRetryAfterMs : undefined;
    if (retryAfter !== undefined && retryAfter < config.budgetMs) {
      return retryAfter;
    }
    const ceiling = config.retryBaseMs * 2 ** (context.attempt - 1);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  });
}

/**
 * The third-party call's resilience pipeline (cockatiel), outermost first:
 * a bulkhead (concurrent calls per instance, no queue), a circuit breaker
 * (opens when at least `breakerThreshold` of at least `breakerMinCalls`
 * calls in `breakerWindowMs` fail; stays open `breakerOpenMs`), the total
 * time budget, and retries of transient failures. The per-attempt timeout is
 * axios's own. Each execution gets an abort signal that fires when the budget
 * runs out. With a `logger`, each retry and each change of the breaker's
 * state is logged (one line each, with the reason, never the key).
 */
export function createThirdPartyPolicy(config: Config, logger?: Pick<LoggerService, 'warn' | 'log'>): IPolicy {
  const { threshold, minCalls, windowMs, openMs } = config.breaker;
  const breaker = circuitBreaker(handleWhen(isUpstreamFailure), {
    halfOpenAfter: openMs,
    breaker: new SamplingBreaker({ threshold, duration: windowMs, minimumRps: minCalls / (windowMs / 1000) }),
  });
  const retries = retry(handleWhen(isTransient), { maxAttempts: config.maxRetries, backoff: backoff(config) });
  if (logger) {
    retries.onRetry(({ attempt, delay, ...reason }) => {
      const why = 'error' in reason ? operatorMessage(reason.error) : 'unexpected result';
      logger.warn(`Third-party attempt ${attempt} failed (${why}); attempt ${attempt + 1} in ${Math.round(delay)} ms`);
    });
    breaker.onBreak(() => {
      logger.warn(
        `Circuit breaker opened: at least ${threshold * 100} % of recent third-party calls failed; ` +
          `calls are refused for ${openMs} ms, then one is let through`,
      );
    });
    breaker.onReset(() => {
      logger.log('Circuit breaker closed: the third-party API answered again');
    });
  }
  return wrap(
    bulkhead(config.maxConcurrency, 0),
    breaker,
    timeout(config.budgetMs, TimeoutStrategy.Aggressive),
    retries,
  );
}

/** Turns the pipeline's own refusals into our errors; passes everything else through. */
export function translatePolicyError(error: unknown, config: Config): unknown {
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
