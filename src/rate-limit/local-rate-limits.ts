import { type RateLimitPolicy, type RateLimits, type Verdict, verdictFor, windowOf } from './rate-limits.js';

/**
 * Both limits counted by this instance: one counter per client and one for
 * all, per window. O(1) per request; memory holds the clients of the current
 * window only.
 */
export class LocalRateLimits implements RateLimits {
  // Stryker disable next-line UnaryOperator: any start value works, the empty state is what a new window resets to
  private window = -1;
  private clients = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly policy: RateLimitPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  hit(client: string): Verdict {
    const now = this.now();
    const window = windowOf(this.policy, now);
    if (window !== this.window) {
      this.window = window;
      this.clients = new Map();
      this.total = 0;
    }
    const clientHits = (this.clients.get(client) ?? 0) + 1;
    this.clients.set(client, clientHits);
    const globalHits = clientHits > this.policy.perClient ? 0 : ++this.total;
    return verdictFor(this.policy, clientHits, globalHits, now);
  }
}
