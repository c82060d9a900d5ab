import type { IRetryBackoffContext } from 'cockatiel';
import { decorrelatedJitter, thirdPartyBackoff } from './third-party.backoff.js';
import { ThirdPartyStatusError } from './third-party.errors.js';

const POLICY = { retryBaseMs: 25, retryMaxDelayMs: 500, budgetMs: 30_000 };

const failure = (retryAfterMs?: number): IRetryBackoffContext<unknown> => ({
  attempt: 1,
  signal: new AbortController().signal,
  result: { error: new ThirdPartyStatusError('failed', 'HTTP 503', 503, retryAfterMs) },
});

describe('decorrelatedJitter', () => {
  it('draws between the base and three times the previous wait, capped', () => {
    expect(decorrelatedJitter(25, POLICY, () => 0)).toBe(25);
    expect(decorrelatedJitter(25, POLICY, () => 1)).toBe(75);
    expect(decorrelatedJitter(100, POLICY, () => 0.5)).toBe(162.5);
    expect(decorrelatedJitter(400, POLICY, () => 1)).toBe(500);
  });
});

describe('thirdPartyBackoff', () => {
  const waits = (contexts: IRetryBackoffContext<unknown>[]): number[] => {
    let backoff = thirdPartyBackoff(POLICY).next(contexts[0] ?? failure());
    const durations = [backoff.duration];
    for (const context of contexts.slice(1)) {
      backoff = backoff.next(context);
      durations.push(backoff.duration);
    }
    return durations;
  };

  it('retries within tens of milliseconds first, then waits longer, never past the cap', () => {
    for (let run = 0; run < 200; run++) {
      const [first = 0, second = 0, ...rest] = waits(Array.from({ length: 6 }, () => failure()));
      expect(first).toBeGreaterThanOrEqual(25);
      expect(first).toBeLessThanOrEqual(75);
      expect(second).toBeLessThanOrEqual(first * 3);
      expect(Math.max(...rest)).toBeLessThanOrEqual(500);
    }
  });

  it('waits as long as Retry-After asks when that fits the budget, and keeps its own schedule otherwise', () => {
    const [asked, own, pastBudget] = waits([failure(2_000), failure(), failure(60_000)]);
    expect(asked).toBe(2_000);
    expect(own).toBeLessThanOrEqual(75); // the jitter did not grow from the 2 s wait
    expect(pastBudget).toBeLessThanOrEqual(500);
  });
});
