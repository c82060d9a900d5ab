import type { LoggerService } from '@nestjs/common';
import type { Policies } from '../config/policies.js';

export type AdmissionPolicy = Policies['admission'];

/** How often the admission limit is set again. */
export const TICK_MS = 100;
/** A shedding episode ends after this long without a refusal. */
export const QUIET_MS = 5_000;
/** Busy with a backlog for this many ticks in a row before anything is refused (a GC pause is not overload). */
export const SUSTAINED_TICKS = 3;
/** Requests that would wait longer than this, in the app or as new connections to accept, are a backlog. */
export const BACKLOG_MS = 250;
/** While shedding, the limit shrinks until new connections are accepted within this long. */
export const ACCEPT_TARGET_MS = 50;
/** While shedding, at most this long of answers (at the measured throughput) is in flight. */
export const IN_FLIGHT_MS = 100;
/** The weight of the last tick in the throughput estimate (one tick alone is noisy: a long loop iteration). */
const SMOOTHING = 0.2;
/** While requests pile up, the limit shrinks by this factor each tick; otherwise it grows by its inverse. */
const STEP = 0.9;
/** The limit never falls below this share of where it started: refusals cost time too. */
const FLOOR = 0.5;

interface TickCounts {
  refused: number;
  answered: number;
}

const noCounts = (): TickCounts => ({ refused: 0, answered: 0 });

/**
 * Decides which requests to admit, so that an overloaded instance answers what it admits on time and refuses the rest
 * at once instead of letting every caller wait.
 *
 * Overloaded: for `SUSTAINED_TICKS` ticks in a row, the event loop was busy and requests piled up, either in the app
 * (more in flight than it answers in `BACKLOG_MS` at its measured throughput) or in the kernel's accept queue (a new
 * connection waited `BACKLOG_MS` to be accepted, see `AcceptProbe`). A client with a fixed number of connections keeps
 * an instance busy without piling up: nothing is refused then.
 *
 * While overloaded, a request is admitted only while fewer than `maxInFlight` are in flight: first `IN_FLIGHT_MS` of
 * answers at just below the measured throughput, then shrinking while requests still pile up (in the app, or new
 * connections waiting `ACCEPT_TARGET_MS`) and growing again, never far above that, while they do not. Unlike a limit
 * on their rate, a limit on requests in flight lets no backlog build up while it holds. Everything is measured, so a
 * small and a large instance need no different settings. Shedding ends once a tick without piling up refused nothing.
 */
export class AdmissionLimit {
  /** How many requests may be in flight: `Infinity` unless shedding. */
  maxInFlight = Infinity;
  private floor = 0;
  private tickedAt = 0;
  private inFlight = 0;
  private answeredPerMs = 0;
  private overloadedTicks = 0;
  private counts = noCounts();
  private episode?: { startedAt: number; lastRefusalAt: number; refused: number };

  constructor(
    private readonly policy: AdmissionPolicy,
    private readonly logger: Pick<LoggerService, 'log' | 'warn'>,
  ) {}

  /** Admits a request (the caller must `release` it once answered) or says no. */
  tryAcquire(): boolean {
    if (this.inFlight >= this.maxInFlight) {
      this.counts.refused++;
      return false;
    }
    this.inFlight++;
    return true;
  }

  readonly release = (): void => {
    this.inFlight--;
    this.counts.answered++;
  };

  /** Sets the limit from the tick ending at `now`: its event-loop utilization and how long a new connection waited. */
  tick(now: number, utilization: number, acceptDelayMs: number): void {
    const counts = this.counts;
    this.counts = noCounts();
    const lastAnsweredPerMs = counts.answered / Math.max(1, now - this.tickedAt);
    this.tickedAt = now;
    this.answeredPerMs += SMOOTHING * (lastAnsweredPerMs - this.answeredPerMs);
    // The smoothed estimate lags a throughput that rises (after a cold start, say): the last tick counts then.
    const throughput = Math.max(this.answeredPerMs, lastAnsweredPerMs);
    // Stryker disable next-line EqualityOperator: exactly at the limit, backlog or not are both right
    const appBacklog = this.inFlight > throughput * BACKLOG_MS;
    const ceiling = throughput * IN_FLIGHT_MS;
    if (this.maxInFlight === Infinity) {
      const busy = utilization >= this.policy.busyUtilization;
      const overloaded = busy && (appBacklog || acceptDelayMs >= BACKLOG_MS);
      this.overloadedTicks = overloaded ? this.overloadedTicks + 1 : 0;
      if (this.overloadedTicks >= SUSTAINED_TICKS) {
        this.maxInFlight = Math.max(1, ceiling * STEP);
        this.floor = Math.max(1, this.maxInFlight * FLOOR);
      }
    } else if (appBacklog || acceptDelayMs >= ACCEPT_TARGET_MS) {
      this.maxInFlight = Math.max(this.floor, Math.min(this.maxInFlight, ceiling) * STEP);
    } else if (counts.refused === 0) {
      this.maxInFlight = Infinity;
      this.overloadedTicks = 0;
    } else {
      this.maxInFlight = Math.max(this.floor, Math.min(this.maxInFlight, ceiling) / STEP);
    }
    this.countRefusals(now, counts.refused, utilization);
  }

  private countRefusals(now: number, refused: number, utilization: number): void {
    if (refused > 0) {
      if (!this.episode) {
        this.episode = { startedAt: now, lastRefusalAt: now, refused: 0 };
        this.logger.warn(
          `Shedding load: the event loop is busy ${Math.round(utilization * 100)} % of the time and requests pile up; ` +
            `answering 503 OVERLOADED beyond ${Math.round(this.maxInFlight)} requests in flight. If it lasts minutes, ` +
            `this app needs more instances.`,
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
