import { readFileSync } from 'node:fs';
import { percentile } from './load.ts';
import type { BenchOptions, Cell } from './options.ts';
import { type Implementation, measure, type RunResult, type Target } from './runs.ts';
import { type Summary, summarize } from './summary.ts';

/**
 * The layers of the service the cost table switches off, one at a time, through one test-only environment
 * variable: `BENCH_DISABLE=<name>[,<name>...]`. The app must acknowledge it with a start-up log line that contains
 * `BENCH_DISABLE=<the value as given>`; without that line the table is skipped, not guessed.
 */
export const LAYERS = [
  { name: 'logging', what: 'request logging (one log line per request)' },
  { name: 'rate-limit', what: 'rate limiting (per-client and global limits)' },
  { name: 'security-headers', what: 'security headers' },
  {
    name: 'resilience',
    what: 'resilience pipeline of the third-party call (timeout, retries, circuit breaker, bulkhead)',
  },
  { name: 'request-budget', what: 'request budget (the deadline of one request)' },
  {
    name: 'http-adapter',
    what: 'third-party HTTP client (axios through @nestjs/axios replaced by a bare undici request)',
  },
] as const;

/**
 * The cost table's load: a fixed rate below every variant's saturation, because CPU per request at saturation moves
 * with the machine's noise by more than one layer costs. Each variant runs `COST_ROUNDS` times (at least),
 * interleaved with the others, and its median counts.
 */
const COST_RATE = 150;
const COST_CONNECTIONS = 10;
const COST_ROUNDS = 3;

export interface CostRow {
  disabled: string;
  what: string;
  summary: Summary;
  /** Baseline CPU per request minus this row's: what the layer costs. */
  savedMs: number;
}

export interface CostTable {
  cell: Cell;
  supported: boolean;
  note?: string;
  baseline?: Summary;
  rows: CostRow[];
  failed: number;
}

const acknowledged = (run: RunResult, value: string): boolean =>
  readFileSync(run.logPath, 'utf8').includes(`BENCH_DISABLE=${value}`);

/** The service with each layer off in turn (and all of them off), alternating with the service as built. */
export async function measureCosts(
  onFreshStack: <T>(work: (target: Target) => Promise<T>) => Promise<T>,
  service: Implementation,
  options: BenchOptions,
  progress: (run: RunResult, label: string) => void,
): Promise<CostTable> {
  const cell: Cell = { delayMs: 0, connections: COST_CONNECTIONS, rate: COST_RATE };
  const probeValue = LAYERS[0].name;
  const probeEnv = { env: { BENCH_DISABLE: probeValue } };
  const probe = await onFreshStack((target) =>
    measure(target, service, cell, { durationSeconds: 1, warmupSeconds: 1 }, probeEnv),
  );
  if (!acknowledged(probe, probeValue)) {
    const note =
      `The service does not honour \`BENCH_DISABLE\` yet (no start-up line with \`BENCH_DISABLE=${probeValue}\`), ` +
      'so the cost table was skipped.';
    process.stdout.write(`cost table: ${note}\n`);
    return { cell, supported: false, note, rows: [], failed: 0 };
  }
  const variants = [...LAYERS.map((layer) => layer.name), LAYERS.map((layer) => layer.name).join(',')];
  const runs: { disabled: string; run: RunResult }[] = [];
  let failed = 0;
  // A fresh stack each round: Azurite's in-memory store slows to a stall after a few dozen runs on one.
  for (let round = 0; round < Math.max(COST_ROUNDS, options.rounds); round++) {
    await onFreshStack(async (target) => {
      for (const disabled of ['', ...variants]) {
        const env: Record<string, string> = disabled === '' ? {} : { BENCH_DISABLE: disabled };
        const run = await measure(target, service, cell, options, { env });
        progress(run, disabled === '' ? 'service' : `service -${disabled.includes(',') ? 'all' : disabled}`);
        if (run.failed > 0 || (disabled !== '' && !acknowledged(run, disabled))) {
          failed++;
        }
        runs.push({ disabled, run });
      }
    });
  }
  const summaryOf = (disabled: string): Summary => {
    const mine = runs.filter((entry) => entry.disabled === disabled).map((entry) => entry.run);
    const cpuMsPerRequest = percentile(
      mine.map((run) => (run.ok > 0 ? (run.cpuSeconds * 1000) / run.ok : NaN)),
      50,
    );
    return { ...summarize(mine, 'service', cell)!, cpuMsPerRequest };
  };
  const baseline = summaryOf('');
  const rows = variants.map((disabled) => {
    const summary = summaryOf(disabled);
    const what =
      LAYERS.find((layer) => layer.name === disabled)?.what ?? 'all of the above at once (every name, comma-separated)';
    return { disabled, what, summary, savedMs: baseline.cpuMsPerRequest - summary.cpuMsPerRequest };
  });
  return { cell, supported: true, baseline, rows, failed };
}
