import { type Cell, describeCell } from './options.ts';
import type { Implementation, RunResult } from './runs.ts';

/** The rounds of one implementation on one cell, combined. */
export interface Summary {
  implementation: Implementation['name'];
  cell: Cell;
  requests: number;
  requestsPerSecond: number;
  /** Mean over the rounds of each round's percentile. */
  latencyMs: { p50: number; p90: number; p99: number };
  /** App CPU time (user + system, all threads) per successful request. */
  cpuMsPerRequest: number;
  /** The highest VmHWM of the rounds. */
  peakRssMiB: number;
  /** Mean time from spawn to the first answer. */
  startupSeconds: number;
  failed: number;
  firstFailure?: string;
}

const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
const sameCell = (a: Cell, b: Cell): boolean => a.delayMs === b.delayMs && a.connections === b.connections;

export function summarize(runs: RunResult[], implementation: Implementation['name'], cell: Cell): Summary | undefined {
  const mine = runs.filter((run) => run.implementation === implementation && sameCell(run.cell, cell));
  if (mine.length === 0) {
    return undefined;
  }
  const requests = mine.reduce((sum, run) => sum + run.ok, 0);
  const seconds = mine.reduce((sum, run) => sum + run.seconds, 0);
  const cpuSeconds = mine.reduce((sum, run) => sum + run.cpuSeconds, 0);
  return {
    implementation,
    cell,
    requests,
    requestsPerSecond: requests / seconds,
    latencyMs: {
      p50: mean(mine.map((run) => run.latencyMs.p50)),
      p90: mean(mine.map((run) => run.latencyMs.p90)),
      p99: mean(mine.map((run) => run.latencyMs.p99)),
    },
    cpuMsPerRequest: requests > 0 ? (cpuSeconds * 1000) / requests : NaN,
    peakRssMiB: Math.max(...mine.map((run) => run.peakRssMiB)),
    startupSeconds: mean(mine.map((run) => run.startupSeconds)),
    failed: mine.reduce((sum, run) => sum + run.failed, 0),
    firstFailure: mine.find((run) => run.firstFailure !== undefined)?.firstFailure,
  };
}

/** service / minimal for each cell measured. */
export interface Comparison {
  cell: Cell;
  service: Summary;
  minimal: Summary;
}

export function compare(runs: RunResult[], cells: Cell[]): Comparison[] {
  return cells.flatMap((cell) => {
    const service = summarize(runs, 'service', cell);
    const minimal = summarize(runs, 'minimal', cell);
    return service && minimal ? [{ cell, service, minimal }] : [];
  });
}

/**
 * Why a bench run failed: each run with wrong or missing answers (a message missing on the queue included), and each
 * cell an implementation has no result for. Empty when every answer was right.
 */
export function benchProblems(runs: RunResult[], cells: Cell[]): string[] {
  const failed = runs
    .filter((run) => run.failed > 0)
    .map((run) => `${run.implementation}, ${describeCell(run.cell)}: ${run.failed} failed, first: ${run.firstFailure}`);
  const missing = cells.flatMap((cell) =>
    (['service', 'minimal'] as const)
      .filter((name) => !runs.some((run) => run.implementation === name && sameCell(run.cell, cell)))
      .map((name) => `${name}, ${describeCell(cell)}: no result`),
  );
  return [...failed, ...missing];
}
