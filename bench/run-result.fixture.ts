import type { Cell } from './options.js';
import type { RunResult } from './runs.js';

/** One measured run for the specs: 100 good answers in 2 s, with `extra` on top. */
export function runResult(
  implementation: RunResult['implementation'],
  cell: Cell,
  extra: Partial<RunResult> = {},
): RunResult {
  return {
    implementation,
    cell,
    ok: 100,
    failed: 0,
    seconds: 2,
    latencyMs: { p50: 1, p90: 2, p99: 3 },
    cpuSeconds: 0.1,
    peakRssMiB: 100,
    startupSeconds: 1,
    windowUs: { fromUs: 0, toUs: 2_000_000 },
    ...extra,
  };
}
