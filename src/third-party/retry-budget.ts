/** How many retries recent traffic earns (see docs/resilience.md). */
export interface RetryBudgetPolicy {
  /** Retries each successful call earns. */
  perSuccess: number;
  /** Retries allowed a second beyond those earned (up to 3 s worth saved up), so a quiet service can retry. */
  minPerSecond: number;
  /** The sliding window the counts cover. */
  windowMs: number;
}

/** The budget as readiness or a log line sees it. */
export interface RetryBudgetState {
  /** A retry was refused lately, and the retries in the window have not yet fallen to half of those earned. */
  exhausted: boolean;
  /** Retries in the window. */
  retries: number;
  /** Successful calls in the window. */
  successes: number;
  /** Retries the window's successes earned (`perSuccess` each); `minPerSecond` more are allowed a second. */
  earned: number;
}

const BUCKETS = 10;
/** The floor saves up to this many seconds of retries: a cold or idle instance has no successes to earn them with. */
const FLOOR_BURST_SECONDS = 3;

class Bucket {
  retries = 0;
  successes = 0;
}

/**
 * A retry budget shared by every call of an instance: in a sliding window
 * (ten buckets, so each call costs O(1)), retries may number at most
 * `perSuccess` times the calls that succeeded; beyond that, a floor of
 * `minPerSecond` retries a second (a token bucket holding at most three
 * seconds' worth). Retries are earned by successes: an upstream that
 * fails now and then gets its retries, one that fails every call gets only
 * the floor, so retries cannot turn an outage into a storm.
 *
 * `onChange` is called when the budget becomes exhausted (a retry refused)
 * and when it recovers, not on every call.
 */
export class RetryBudget {
  private readonly buckets = Array.from({ length: BUCKETS }, () => new Bucket());
  private readonly bucketMs: number;
  private readonly floorCapacity: number;
  private floorTokens: number;
  private floorAt: number;
  private current = 0;
  private currentStart: number;
  private retries = 0;
  private successes = 0;
  private exhausted = false;

  constructor(
    private readonly policy: RetryBudgetPolicy,
    private readonly onChange: (state: RetryBudgetState) => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.bucketMs = policy.windowMs / BUCKETS;
    // A fractional rate must still reach one whole token.
    this.floorCapacity = policy.minPerSecond > 0 ? Math.max(1, policy.minPerSecond * FLOOR_BURST_SECONDS) : 0;
    this.floorTokens = this.floorCapacity;
    this.currentStart = this.floorAt = now();
  }

  /** Counts a call that succeeded: it earns `perSuccess` retries for the length of the window. */
  recordSuccess(): void {
    this.advance();
    this.bucket().successes++;
    this.successes++;
    this.checkRecovered();
  }

  /** Takes one retry from the budget; false (and nothing taken) when the window has none left. */
  tryRetry(): boolean {
    this.advance();
    if (this.retries < this.earned() || this.takeFloorToken()) {
      this.bucket().retries++;
      this.retries++;
      return true;
    }
    if (!this.exhausted) {
      this.exhausted = true;
      this.onChange(this.snapshot());
    }
    return false;
  }

  state(): RetryBudgetState {
    this.advance();
    this.checkRecovered();
    return this.snapshot();
  }

  private earned(): number {
    return this.policy.perSuccess * this.successes;
  }

  private takeFloorToken(): boolean {
    const now = this.now();
    const refill = ((now - this.floorAt) * this.policy.minPerSecond) / 1000;
    this.floorTokens = Math.min(this.floorCapacity, this.floorTokens + refill);
    this.floorAt = now;
    if (this.floorTokens < 1) {
      return false;
    }
    this.floorTokens -= 1;
    return true;
  }

  private checkRecovered(): void {
    if (this.exhausted && this.retries <= this.earned() / 2) {
      this.exhausted = false;
      this.onChange(this.snapshot());
    }
  }

  private snapshot(): RetryBudgetState {
    const { exhausted, retries, successes } = this;
    return { exhausted, retries, successes, earned: Math.floor(this.earned()) };
  }

  private bucket(): Bucket {
    return this.buckets[this.current] as Bucket;
  }

  /** Moves the window to now: buckets older than the window are emptied, at most all ten. */
  private advance(): void {
    const steps = Math.floor((this.now() - this.currentStart) / this.bucketMs);
    if (steps <= 0) {
      return;
    }
    for (let i = 0; i < Math.min(steps, BUCKETS); i++) {
      this.current = (this.current + 1) % BUCKETS;
      const expired = this.bucket();
      this.retries -= expired.retries;
      this.successes -= expired.successes;
      expired.retries = 0;
      expired.successes = 0;
    }
    this.currentStart += steps * this.bucketMs;
  }
}
