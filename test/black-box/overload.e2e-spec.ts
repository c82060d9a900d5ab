import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureOverload, OVERLOAD } from '../../bench/overload.js';
import { SERVICE } from '../../bench/runs.js';
import { onFreshStack } from '../../bench/stack.js';

/**
 * The production build on the production-shaped stack, measured at its capacity and then sent requests at twice
 * that, on schedule whatever the answers, over pooled keep-alive connections as App Service's front end sends them
 * (the bench's overload run; its latencies and memory are reported in BENCHMARKS.md, not asserted here).
 */
describe('overload of the production build (node dist/main.js)', () => {
  let workDir: string;
  beforeAll(() => (workDir = mkdtempSync(join(tmpdir(), 'aia-overload-'))));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('serves what it can, refuses the rest with 503 OVERLOADED, resets nothing, lets nobody time out and loses no code', async () => {
    const result = await onFreshStack(workDir, (target) => measureOverload(target, SERVICE, 'pooled'));

    const { '200': served = 0, '503 OVERLOADED': refused = 0, ...others } = result.outcomes;
    expect(others).toEqual({});
    expect(refused).toBeGreaterThan(0);
    expect(result.refusalsWellFormed).toBe(true);
    // Refusing is not all it does: at least half the capacity is still served.
    expect(served).toBeGreaterThan(0.5 * result.capacity * OVERLOAD.seconds);
    // A refused request cost no queue message; every code answered is on the queue.
    expect(result.queued).toBe(served);
    // The requests just after the overload were answered with codes (measureOverload checks each).
    expect(result.afterMs).toBeGreaterThan(0);
  }, 300_000);
});
