import { policiesWith } from '../config/policies.js';
import { AdmissionLimit, QUIET_MS } from './admission-limit.js';

const POLICY = policiesWith().admission;
const TICK_MS = 100;
const BUSY = POLICY.busyUtilization;
const IDLE = BUSY - 0.01;

class Lines {
  readonly lines: { level: 'log' | 'warn'; line: string }[] = [];
  log = (line: string) => this.lines.push({ level: 'log', line });
  warn = (line: string) => this.lines.push({ level: 'warn', line });
}

describe('AdmissionLimit', () => {
  let lines: Lines;
  let limit: AdmissionLimit;
  let now: number;
  const tick = (utilization: number) => limit.tick((now += TICK_MS), TICK_MS, utilization);
  const admit = (n: number) => Array.from({ length: n }, () => limit.tryAcquire()).filter(Boolean).length;
  const answer = (n: number) => Array.from({ length: n }, () => limit.release());
  /** A second of ticks, `perTick` requests answered (and as many admitted) in each. */
  const steady = (perTick: number, utilization: number) => {
    for (let i = 0; i < 10; i++) {
      admit(perTick);
      answer(perTick);
      tick(utilization);
    }
  };

  beforeEach(() => {
    lines = new Lines();
    limit = new AdmissionLimit(POLICY, lines);
    now = 0;
  });

  it('admits everything while the event loop has time to spare, however many are in flight', () => {
    steady(60, IDLE);
    expect(admit(5_000)).toBe(5_000);
    tick(IDLE);
    expect(admit(5_000)).toBe(5_000);
    expect(lines.lines).toEqual([]);
  });

  it('while busy, admits what the instance answers within the target wait at the rate it answers now', () => {
    steady(60, BUSY); // 600 answers a second
    const expected = Math.round(600 * (POLICY.targetWaitMs / 1000) * (1 - 0.8 ** 10));
    expect(limit.limit).toBeGreaterThanOrEqual(expected - 1);
    expect(limit.limit).toBeLessThanOrEqual(expected + 1);
    expect(admit(limit.limit + 10)).toBe(limit.limit);
    answer(1);
    expect(admit(2)).toBe(1);
  });

  it('never refuses below the floor, even when busy and answering nothing', () => {
    tick(1);
    expect(limit.limit).toBe(POLICY.minLimit);
    expect(admit(POLICY.minLimit)).toBe(POLICY.minLimit);
    expect(admit(1)).toBe(0);
  });

  it('follows the throughput: a faster instance may hold more requests in flight', () => {
    steady(20, BUSY);
    const slow = limit.limit;
    for (let i = 0; i < 3; i++) {
      steady(200, BUSY);
    }
    expect(limit.limit).toBeGreaterThan(slow);
    expect(limit.limit).toBeGreaterThan(0.99 * 2_000 * (POLICY.targetWaitMs / 1000));
    expect(limit.limit).toBeLessThanOrEqual(2_000 * (POLICY.targetWaitMs / 1000));
  });

  it('lifts the cap as soon as the event loop has time to spare again', () => {
    tick(1);
    admit(POLICY.minLimit + 5);
    tick(IDLE);
    expect(limit.limit).toBe(Infinity);
    expect(admit(100)).toBe(100);
  });

  it('warns once when shedding starts and logs once when it has stopped, with how many were refused', () => {
    tick(0.97);
    admit(POLICY.minLimit + 5); // 5 refused
    tick(0.97);
    expect(lines.lines).toEqual([
      {
        level: 'warn',
        line: expect.stringMatching(new RegExp(`busy 97 %.* OVERLOADED beyond ${POLICY.minLimit} requests`)) as string,
      },
    ]);
    admit(3);
    tick(0.97);
    for (let t = TICK_MS; t < QUIET_MS; t += TICK_MS) {
      tick(0.97);
    }
    expect(lines.lines).toHaveLength(1);
    tick(0.97);
    expect(lines.lines[1]).toEqual({
      level: 'log',
      line: 'Stopped shedding load after 0 s: 8 requests refused (OVERLOADED)',
    });
  });

  it('measures an episode from its first refusal to its last', () => {
    tick(1);
    admit(POLICY.minLimit);
    for (let i = 0; i < 30; i++) {
      admit(20);
      tick(1);
    }
    for (let t = 0; t <= QUIET_MS; t += TICK_MS) {
      tick(IDLE);
    }
    expect(lines.lines[1]?.line).toBe('Stopped shedding load after 3 s: 600 requests refused (OVERLOADED)');
  });
});
