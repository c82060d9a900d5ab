import { policiesWith } from '../config/policies.js';
import {
  ACCEPT_TARGET_MS,
  AdmissionLimit,
  BACKLOG_MS,
  IN_FLIGHT_MS,
  QUIET_MS,
  SUSTAINED_TICKS,
  TICK_MS,
} from './admission-limit.js';

const POLICY = policiesWith().admission;
const BUSY = POLICY.busyUtilization;
const SPARE = BUSY - 0.01;

class Lines {
  readonly lines: { level: 'log' | 'warn'; line: string }[] = [];
  log = (line: string) => this.lines.push({ level: 'log', line });
  warn = (line: string) => this.lines.push({ level: 'warn', line });
}

describe('AdmissionLimit', () => {
  let lines: Lines;
  let limit: AdmissionLimit;
  let now: number;
  const tick = (utilization: number, acceptDelayMs = 0) => limit.tick((now += TICK_MS), utilization, acceptDelayMs);
  const admit = (n: number) => Array.from({ length: n }, () => limit.tryAcquire()).filter(Boolean).length;
  const answer = (n: number) => Array.from({ length: n }, () => limit.release());
  /** `ticks` ticks in which `perTick` requests arrive and as many are answered: in flight stays where it is. */
  const steady = (ticks: number, perTick: number, utilization: number, acceptDelayMs = 0) => {
    for (let i = 0; i < ticks; i++) {
      admit(perTick);
      answer(perTick);
      tick(utilization, acceptDelayMs);
    }
  };
  /** More in flight than an instance answering 60 requests a tick answers in `BACKLOG_MS`. */
  const BACKLOG = Math.ceil(0.6 * BACKLOG_MS) + 10;
  /** An instance answering 60 requests a tick, then `BACKLOG` more in flight, busy until shedding. */
  const overload = () => {
    steady(30, 60, SPARE);
    admit(BACKLOG);
    steady(SUSTAINED_TICKS, 60, 1);
  };

  beforeEach(() => {
    lines = new Lines();
    limit = new AdmissionLimit(POLICY, lines);
    now = 0;
  });

  it('admits everything from a fixed number of connections, however busy they keep the event loop', () => {
    admit(100); // from the start, 100 connections each with a request in flight, answered as fast as it comes
    steady(50, 60, 1);
    expect(limit.maxInFlight).toBe(Infinity);
    expect(admit(5_000)).toBe(5_000);
    expect(lines.lines).toEqual([]);
  });

  it(`starts shedding after ${SUSTAINED_TICKS} busy ticks with a backlog in the app, at just below the throughput`, () => {
    steady(30, 60, SPARE);
    admit(BACKLOG);
    steady(SUSTAINED_TICKS - 1, 60, 1);
    expect(limit.maxInFlight).toBe(Infinity);
    steady(1, 60, 1);
    // `IN_FLIGHT_MS` of answers at 0.9 of the 0.6 answered per ms.
    expect(limit.maxInFlight).toBeGreaterThan(0.9 * 0.6 * IN_FLIGHT_MS * 0.99);
    expect(limit.maxInFlight).toBeLessThanOrEqual(0.9 * 0.6 * IN_FLIGHT_MS);
    // Nothing more while the backlog is in flight, then as many as its answers make room for.
    expect(admit(10)).toBe(0);
    answer(BACKLOG - 40);
    expect(admit(1_000)).toBe(Math.ceil(limit.maxInFlight) - 40);
  });

  it('counts a new connection waiting to be accepted as a backlog too', () => {
    steady(30, 60, SPARE);
    steady(SUSTAINED_TICKS, 60, BUSY, BACKLOG_MS - 1);
    expect(limit.maxInFlight).toBe(Infinity);
    steady(SUSTAINED_TICKS, 60, BUSY, BACKLOG_MS);
    expect(limit.maxInFlight).toBeLessThan(Infinity);
  });

  it('sheds when the throughput falls and stays low (a dependency slowing down), with the same requests in flight', () => {
    admit(100);
    steady(30, 60, 1); // 100 in flight are 170 ms of answers
    expect(limit.maxInFlight).toBe(Infinity);
    steady(SUSTAINED_TICKS, 10, 1); // a few slow ticks: the estimate is smoothed
    expect(limit.maxInFlight).toBe(Infinity);
    // Within 20 more ticks, 100 in flight are a second of answers: shedding starts.
    for (let i = 0; i < 20 && limit.maxInFlight === Infinity; i++) {
      steady(1, 10, 1);
    }
    expect(limit.maxInFlight).toBeLessThan(Infinity);
  });

  it('grows the limit from its own value when nothing piles up, whatever burst of answers the tick saw', () => {
    overload();
    const started = limit.maxInFlight;
    answer(BACKLOG); // the backlog is answered at once
    now += TICK_MS;
    answer(admit(1_000));
    limit.tick(now, 1, 0);
    expect(limit.maxInFlight).toBeCloseTo(started / 0.9, 9);
  });

  it('refuses nothing while the event loop has time to spare, whatever the backlog', () => {
    steady(30, 60, SPARE);
    admit(1_000);
    steady(20, 60, SPARE, 10 * BACKLOG_MS);
    expect(limit.maxInFlight).toBe(Infinity);
  });

  it('needs the ticks in a row: one calm tick in between starts the count again', () => {
    steady(30, 60, SPARE);
    admit(BACKLOG);
    for (let i = 0; i < 3; i++) {
      steady(SUSTAINED_TICKS - 1, 60, 1);
      steady(1, 60, SPARE);
    }
    expect(limit.maxInFlight).toBe(Infinity);
  });

  it('shrinks the limit while new connections still wait, down to half where it started', () => {
    overload();
    const started = limit.maxInFlight;
    steady(1, 60, 1, ACCEPT_TARGET_MS);
    expect(limit.maxInFlight).toBeCloseTo(0.9 * started, 3);
    steady(100, 60, 1, ACCEPT_TARGET_MS);
    expect(limit.maxInFlight).toBeCloseTo(started / 2, 6);
  });

  it('settles near what the instance answers when twice as many arrive, and stops once nothing is refused', () => {
    const capacity = 60; // answered per tick at most
    steady(30, capacity, SPARE);
    let inFlight = 0;
    const admittedPerTick: number[] = [];
    for (let i = 0; i < 200; i++) {
      now += TICK_MS / 2;
      const admitted = admit(capacity);
      now += TICK_MS / 2;
      const more = admit(capacity);
      inFlight += admitted + more;
      const answered = Math.min(inFlight, capacity);
      answer(answered);
      inFlight -= answered;
      // The app's backlog stands in for the accept queue: new connections wait while it is long.
      limit.tick(now, 1, (inFlight / capacity) * TICK_MS);
      admittedPerTick.push(admitted + more);
    }
    const settled = admittedPerTick.slice(100);
    const mean = settled.reduce((sum, n) => sum + n, 0) / settled.length;
    expect(limit.maxInFlight).toBeLessThan(Infinity);
    expect(mean).toBeGreaterThan(0.6 * capacity);
    expect(mean).toBeLessThanOrEqual(1.05 * capacity);
    expect(inFlight).toBeLessThan((capacity * BACKLOG_MS) / TICK_MS);

    answer(inFlight);
    tick(SPARE);
    expect(limit.maxInFlight).toBe(Infinity);
    expect(admit(1_000)).toBe(1_000);
  });

  it('admits one request at a time at the least, even when nothing has been answered (a dependency hanging)', () => {
    admit(10);
    for (let i = 0; i < SUSTAINED_TICKS; i++) {
      tick(1);
    }
    expect(limit.maxInFlight).toBe(1);
    expect(admit(5)).toBe(0);
    answer(10);
    expect(admit(5)).toBe(1);
  });

  it('logs one warning when shedding starts and one line when it has stopped, with the refusals counted', () => {
    overload();
    now += TICK_MS;
    const refused = 200 - admit(200);
    tick(1, ACCEPT_TARGET_MS);
    expect(lines.lines).toEqual([{ level: 'warn', line: expect.stringMatching(/^Shedding load: /) as string }]);
    expect(lines.lines[0]?.line).toContain(`busy 100 % of the time`);
    expect(lines.lines[0]?.line).toContain(`beyond ${Math.round(limit.maxInFlight)} requests in flight`);
    expect(lines.lines[0]?.line).toMatch(/this app needs more instances\.$/);

    now += TICK_MS;
    const more = 200 - admit(200);
    answer(BACKLOG);
    tick(SPARE);
    expect(limit.maxInFlight).toBeLessThan(Infinity);
    steady(Math.ceil(QUIET_MS / TICK_MS) - 1, 1, SPARE);
    expect(lines.lines).toHaveLength(1);
    steady(1, 1, SPARE);
    expect(lines.lines[1]).toEqual({
      level: 'log',
      line: `Stopped shedding load after 0 s: ${refused + more} requests refused (OVERLOADED)`,
    });
  });
});
