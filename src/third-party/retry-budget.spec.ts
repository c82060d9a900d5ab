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
  const retries = (n: number) => Array.from({ length: n }, () => budget.tryRetry());
  const granted = (n: number) => retries(n).filter(Boolean).length;

  it('always allows the floor: minPerSecond for each second of the window, without any success', () => {
    expect(granted(25)).toBe(20);
    expect(budget.state()).toMatchObject({ exhausted: true, retries: 20, successes: 0, allowance: 20 });
  });

  it('allows perSuccess retries per success once that is more than the floor', () => {
    successes(100);
    expect(granted(80)).toBe(50);
    expect(budget.state()).toMatchObject({ retries: 50, successes: 100, allowance: 50 });
  });

  it('counts only the last window: retries and successes older than it are forgotten', () => {
    successes(100);
    expect(granted(50)).toBe(50);
    clock += 5_000;
    successes(40); // 140 successes in the window: 70 retries
    expect(granted(50)).toBe(20);
    clock += 5_000; // the first 100 successes and 50 retries leave the window
    expect(budget.state()).toMatchObject({ retries: 20, successes: 40, allowance: 20 });
    expect(granted(5)).toBe(0);
    clock += 5_000;
    expect(budget.state()).toMatchObject({ retries: 0, successes: 0, allowance: 20 });
  });

  it('slides in steps of a tenth of the window', () => {
    expect(granted(20)).toBe(20);
    clock += 9_999;
    expect(budget.tryRetry()).toBe(false);
    clock += 1; // the bucket of the first retries is ten tenths old: out of the window
    expect(granted(21)).toBe(20);
  });

  it('forgets everything after a long quiet spell', () => {
    successes(500);
    granted(200);
    clock += 3_600_000;
    expect(budget.state()).toMatchObject({ retries: 0, successes: 0, allowance: 20 });
  });

  it('reports exhaustion once, and recovery once the retries fall to half the allowance', () => {
    granted(30);
    expect(changes).toEqual([{ exhausted: true, retries: 20, successes: 0, allowance: 20 }]);
    successes(30); // allowance 20 (the floor): 20 retries are more than half
    expect(changes).toHaveLength(1);
    successes(50); // 80 successes: allowance 40, 20 retries are half
    expect(changes).toEqual([
      { exhausted: true, retries: 20, successes: 0, allowance: 20 },
      { exhausted: false, retries: 20, successes: 80, allowance: 40 },
    ]);
  });

  it('recovers when its refused retries leave the window, seen by whoever reads the state', () => {
    granted(21);
    clock += 10_000;
    expect(budget.state()).toEqual({ exhausted: false, retries: 0, successes: 0, allowance: 20 });
    expect(changes.map((c) => c.exhausted)).toEqual([true, false]);
  });
});
