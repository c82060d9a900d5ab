import type { LoggerService } from '@nestjs/common';
import type { CircuitBreakerPolicy, RetryPolicy } from 'cockatiel';
import { operatorMessage } from '../common/service-error.js';
import type { ThirdPartyConfig } from '../config/config.module.js';
import type { RetryBudgetState } from './retry-budget.js';

export type PolicyLogger = Pick<LoggerService, 'warn' | 'log'>;

/** One line per retry and per change of the breaker's state, with the reason (never the key). */
export function logTransitions(
  logger: PolicyLogger,
  { breaker: { threshold, openMs } }: ThirdPartyConfig,
  retries: RetryPolicy,
  breaker: CircuitBreakerPolicy,
): void {
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

/** One line when the retry budget runs out, one when it recovers. */
export function logBudget(logger: PolicyLogger, { retryBudget }: ThirdPartyConfig, state: RetryBudgetState): void {
  const { retries, successes } = state;
  const counts = `${retries} retries and ${successes} successful calls in the last ${retryBudget.windowMs} ms`;
  if (state.exhausted) {
    logger.warn(
      `Retry budget exhausted (${counts}; allowed: ${retryBudget.perSuccess} per success, and ` +
        `${retryBudget.minPerSecond} a second beyond that): failed third-party attempts are answered without a ` +
        'retry until successes earn retries again',
    );
  } else {
    logger.log(`Retry budget recovered (${counts}): failed third-party attempts are retried again`);
  }
}
