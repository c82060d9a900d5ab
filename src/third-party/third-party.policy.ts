import type { LoggerService } from '@nestjs/common';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
  retry,
  SamplingBreaker,
  wrap,
} from 'cockatiel';
import { operatorMessage } from '../common/service-error.js';
import type { Policies } from '../config/policies.js';
import {
  THIRD_PARTY_DETAIL,
  ThirdPartyBadResponseError,
  ThirdPartyBusyError,
  ThirdPartyCircuitOpenError,
  ThirdPartyStatusError,
  ThirdPartyThrottledError,
  ThirdPartyTimeoutError,
  ThirdPartyUnreachableError,
} from './third-party.errors.js';

type Policy = Policies['thirdParty'];
type Context = IRetryBackoffContext<unknown>;

export function isTransient(error: unknown): boolean {
  if (error instanceof ThirdPartyStatusError) {
    return error.upstreamStatus === 408 || error.upstreamStatus === 429 || error.upstreamStatus >= 500;
  }
  return error instanceof ThirdPartyTimeoutError || error instanceof ThirdPartyUnreachableError;
}

/** What the breaker counts as the third party failing (a rejected key is our configuration, not its health). */
function isUpstreamFailure(error: unknown): boolean {
  return isTransient(error) || error instanceof ThirdPartyBadResponseError || error instanceof ThirdPartyThrottledError;
}

/** cockatiel's exponential backoff (decorrelated jitter), stretched to a short Retry-After the third party sent. */
function backoff({ retryBaseMs, retryMaxDelayMs }: Policy): IBackoffFactory<Context> {
  const jitter = new ExponentialBackoff({ initialDelay: retryBaseMs, maxDelay: retryMaxDelayMs });
  const honouring = (next: IBackoff<unknown>, context: Context): IBackoff<Context> => {
    const error = 'error' in context.result ? context.result.error : undefined;
    const asked = error instanceof ThirdPartyStatusError ? (error.upstreamRetryAfterMs ?? 0) : 0;
    return { duration: Math.max(next.duration, asked), next: (later) => honouring(next.next(later), later) };
  };
  return { next: (context) => honouring(jitter.next(), context) };
}

/**
 * The third-party call's pipeline, outermost first: a bulkhead (no queue), a circuit breaker and retries of transient
 * failures. The request's deadline, given to `execute`, cancels it all; each attempt's timeout is axios's.
 */
export function createThirdPartyPolicy(policy: Policy, logger: Pick<LoggerService, 'warn' | 'log'>) {
  const { threshold, minCalls, windowMs, openMs } = policy.breaker;
  const breaker = circuitBreaker(handleWhen(isUpstreamFailure), {
    halfOpenAfter: openMs,
    breaker: new SamplingBreaker({ threshold, duration: windowMs, minimumRps: minCalls / (windowMs / 1000) }),
  });
  const retries = retry(handleWhen(isTransient), { maxAttempts: policy.maxRetries, backoff: backoff(policy) });
  // Only errors are retried (`handleWhen`), never a result: a retry always has one.
  retries.onRetry(({ attempt, delay, ...reason }) => {
    const why = operatorMessage((reason as { error: unknown }).error);
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
  return wrap(bulkhead(policy.maxConcurrency, 0), breaker, retries);
}

export function translatePolicyError(error: unknown, policy: Policy): unknown {
  // An isolated circuit's IsolatedCircuitError is a BrokenCircuitError too.
  if (error instanceof BrokenCircuitError) {
    return new ThirdPartyCircuitOpenError(
      THIRD_PARTY_DETAIL.paused,
      `Circuit breaker open after repeated third-party failures; calls resume in ${policy.breaker.openMs} ms.`,
      Math.max(1, Math.ceil(policy.breaker.openMs / 1000)),
    );
  }
  if (error instanceof BulkheadRejectedError) {
    return new ThirdPartyBusyError(
      THIRD_PARTY_DETAIL.busy,
      `Bulkhead full: ${policy.maxConcurrency} concurrent third-party calls on this instance.`,
    );
  }
  return error;
}
