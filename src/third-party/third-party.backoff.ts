import { DelegateBackoff, type IRetryBackoffContext } from 'cockatiel';
import { ThirdPartyStatusError } from './third-party.errors.js';

export interface BackoffPolicy {
  /** Shortest wait, and the scale of the first one. */
  retryBaseMs: number;
  /** Longest wait between two attempts. */
  retryMaxDelayMs: number;
  /** A Retry-After longer than this is not honoured (the call could not succeed in time anyway). */
  budgetMs: number;
}

/**
 * Decorrelated jitter (as in AWS's "Exponential Backoff and Jitter"): each
 * wait is drawn between the base and three times the previous wait, capped.
 * Waits grow about 1.5x per attempt on average, and concurrent callers that
 * failed together spread out instead of retrying in step.
 */
export function decorrelatedJitter(
  previousMs: number,
  { retryBaseMs, retryMaxDelayMs }: Omit<BackoffPolicy, 'budgetMs'>,
  random: () => number = Math.random,
): number {
  const upper = Math.max(retryBaseMs, previousMs * 3);
  return Math.min(retryMaxDelayMs, retryBaseMs + random() * (upper - retryBaseMs));
}

/** The wait before each retry: the third party's Retry-After when it sent one that fits the budget, else jitter. */
export function thirdPartyBackoff(policy: BackoffPolicy): DelegateBackoff<IRetryBackoffContext<unknown>, number> {
  return new DelegateBackoff<IRetryBackoffContext<unknown>, number>((context, previous = policy.retryBaseMs) => {
    const error = 'error' in context.result ? context.result.error : undefined;
    const retryAfter = error instanceof ThirdPartyStatusError ? error.upstreamRetryAfterMs : undefined;
    if (retryAfter !== undefined && retryAfter < policy.budgetMs) {
      return { delay: retryAfter, state: previous };
    }
    const delay = decorrelatedJitter(previous, policy);
    return { delay, state: delay };
  });
}
