import { RetryBudget, type RetryBudgetState } from './retry-budget.js';

const POLICY = { perSuccess: 0.5, minPerSecond: 2, windowMs: 10_000 };

describe('RetryBudget', () => {
  let clock: number;
  let changes: RetryBudgetState[];
  let budget: RetryBudget;

  beforeEach(() => {
    clock = 1_000;
    changes = [];
    budget = new RetryBudget(
      POLICY,
      (state) => changes.push(state),
      () => clock,
    );
  });

  const successes = (n: number) => Array.from({ length: n }, () => budget.recordSuccess());
  const granted = (n: number) => Array.from({ length: n }, () => budget.tryRetry()).filter(Boolean).length;

  it('allows the floor without any success: minPerSecond a second, at most three seconds of it saved up', () => {
    expect(granted(10)).toBe(6);
    clock += 500;
    expect(granted(5)).toBe(1);
    clock += 60_000;
    expect(granted(10)).toBe(6);
    expect(budget.state()).toEqual({ exhausted: true, retries: 6, successes: 0, earned: 0 });
  });

  it('allows perSuccess retries per success in the window, and the floor beyond them', () => {
    successes(100);
    expect(granted(80)).toBe(56);
    expect(budget.state()).toMatchObject({ retries: 56, successes: 100, earned: 50 });
  });

  it('counts only the last window: successes and retries older than it no longer count', () => {
    successes(100);
    expect(granted(50)).toBe(50);
    clock += 5_000;
    successes(40); // 140 successes in the window earn 70 retries; the floor adds its 6
    expect(granted(50)).toBe(26);
    clock += 5_000; // the first 100 successes and 50 retries leave the window
    expect(budget.state()).toMatchObject({ retries: 26, successes: 40, earned: 20 });
    expect(granted(10)).toBe(6); // the floor only
  });

  it('slides in steps of a tenth of the window', () => {
    successes(3);
    granted(2);
    clock += 9_999;
    expect(budget.state()).toMatchObject({ retries: 2, successes: 3 });
    clock += 1; // ten tenths old: out of the window
    expect(budget.state()).toMatchObject({ retries: 0, successes: 0 });
  });

  it('forgets everything after a long quiet spell', () => {
    successes(500);
    expect(granted(200)).toBe(200);
    clock += 3_600_000;
    expect(budget.state()).toEqual({ exhausted: false, retries: 0, successes: 0, earned: 0 });
  });

  it('reports exhaustion once, and recovery once the retries fall to half of those earned', () => {
    granted(10);
    expect(changes).toEqual([{ exhausted: true, retries: 6, successes: 0, earned: 0 }]);
    successes(23); // 11.5 earned: 6 retries are more than half
    expect(changes).toHaveLength(1);
    successes(1);
    expect(changes).toEqual([
      { exhausted: true, retries: 6, successes: 0, earned: 0 },
      { exhausted: false, retries: 6, successes: 24, earned: 12 },
    ]);
  });

  it('recovers when its retries leave the window, seen by whoever reads the state', () => {
    granted(7);
    clock += 10_000;
    expect(budget.state()).toEqual({ exhausted: false, retries: 0, successes: 0, earned: 0 });
    expect(changes.map((c) => c.exhausted)).toEqual([true, false]);
  });

  it('has no floor with minPerSecond 0', () => {
    const strict = new RetryBudget({ ...POLICY, minPerSecond: 0 }, undefined, () => clock);
    expect(strict.tryRetry()).toBe(false);
    strict.recordSuccess();
    strict.recordSuccess();
    expect([strict.tryRetry(), strict.tryRetry()]).toEqual([true, false]);
  });
});
