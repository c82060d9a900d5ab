import type { LoggerService } from '@nestjs/common';
import type { Policies } from '../config/policies.js';

export type AdmissionPolicy = Policies['admission'];

/** A shedding episode ends after this long without a refusal. */
export const QUIET_MS = 5_000;
/** Weight of the last tick in the throughput estimate (about a second's memory at 10 ticks a second). */
const SMOOTHING = 0.2;

/**
 * A cap on requests in flight, from Little's law: while the event loop is busy nearly all the time (the instance
 * is saturated), admit only as many as it answers within `targetWaitMs` at the rate it is answering now. Below the
 * busy mark, or below `minLimit` in flight, nothing is refused: a slow dependency is not saturation (the bulkhead
 * and breaker own it), and a few dozen requests at once is a normal load. The cap follows the instance's own
 * throughput, so a small and a large instance need no different settings.
 */
export class AdmissionLimit {
  limit = Infinity;
  private inFlight = 0;
  private answered = 0;
  private refused = 0;
  private throughput = 0;
  private episode?: { startedAt: number; lastRefusalAt: number; refused: number };

  constructor(
    private readonly policy: AdmissionPolicy,
    private readonly logger: Pick<LoggerService, 'log' | 'warn'>,
  ) {}

  /** Admits a request (the caller must `release` it once answered) or says no. */
  tryAcquire(): boolean {
    if (this.inFlight >= this.limit) {
      this.refused++;
      return false;
    }
    this.inFlight++;
    return true;
  }

  readonly release = (): void => {
    this.inFlight--;
    this.answered++;
  };

  /** Sets the cap for the next tick from the last one: its length, and the share of it the event loop was busy. */
  tick(now: number, elapsedMs: number, utilization: number): void {
    const rate = (this.answered * 1000) / elapsedMs;
    this.answered = 0;
    this.throughput += SMOOTHING * (rate - this.throughput);
    const busy = utilization >= this.policy.busyUtilization;
    this.limit = busy
      ? Math.max(this.policy.minLimit, Math.round((this.throughput * this.policy.targetWaitMs) / 1000))
      : Infinity;
    this.countRefusals(now, utilization);
  }

  private countRefusals(now: number, utilization: number): void {
    const refused = this.refused;
    this.refused = 0;
    if (refused > 0) {
      if (!this.episode) {
        this.episode = { startedAt: now, lastRefusalAt: now, refused: 0 };
        this.logger.warn(
          `Shedding load: the event loop is busy ${Math.round(utilization * 100)} % of the time; answering 503 ` +
            `OVERLOADED beyond ${this.limit} requests in flight. If it lasts minutes, this app needs more instances.`,
        );
      }
      this.episode.refused += refused;
      this.episode.lastRefusalAt = now;
    } else if (this.episode && now - this.episode.lastRefusalAt >= QUIET_MS) {
      const seconds = Math.round((this.episode.lastRefusalAt - this.episode.startedAt) / 1000);
      this.logger.log(
        `Stopped shedding load after ${seconds} s: ${this.episode.refused} requests refused (OVERLOADED)`,
      );
      this.episode = undefined;
    }
  }
}
