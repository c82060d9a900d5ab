import { readFileSync } from 'node:fs';
import { percentile } from './load.ts';
import type { BenchOptions, Cell } from './options.ts';
import { cpuMsPerRequest, type Implementation, measure, type RunResult, type Target } from './runs.ts';
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
 * The cost table's load: each variant runs at the same time as the service as built, both at a fixed rate below
 * saturation, so the machine's drift (Azurite slowing down, the other core busy) hits both alike; the saving is the
 * median over the rounds of the pair's difference. A control pair (nothing off) shows how large the noise is.
 */
const COST_RATE = 100;
const COST_CONNECTIONS = 5;
const COST_ROUNDS = 3;
const CONTROL = '';

export interface CostRow {
  disabled: string;
  what: string;
  summary: Summary;
  /** Median over the rounds of (as built − this variant), CPU ms per request: what the layer costs. */
  savedMs: number;
  /** The smallest and largest of those differences. */
  savedRangeMs: [number, number];
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

/** How a variant is named in progress lines and the report: `all` for the comma-separated list of every layer. */
export const labelOf = (disabled: string): string => (disabled.includes(',') ? 'all' : disabled);

/** The service with each layer off in turn (and all at once), each run beside the service as built. */
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
  const variants = [CONTROL, ...LAYERS.map((layer) => layer.name), LAYERS.map((layer) => layer.name).join(',')];
  const pairs: { disabled: string; base: RunResult; off: RunResult }[] = [];
  let failed = 0;
  // A fresh stack for each pair: Azurite's in-memory store stalls after some dozens of busy queues on one.
  for (let round = 0; round < Math.max(COST_ROUNDS, options.rounds); round++) {
    for (const disabled of variants) {
      const env: Record<string, string> = disabled === CONTROL ? {} : { BENCH_DISABLE: disabled };
      const [base, off] = await onFreshStack((target) =>
        Promise.all([measure(target, service, cell, options), measure(target, service, cell, options, { env })]),
      );
      progress(base, 'service (beside)');
      progress(off, disabled === CONTROL ? 'service (control)' : `service -${labelOf(disabled)}`);
      if (base.failed > 0 || off.failed > 0 || (disabled !== CONTROL && !acknowledged(off, disabled))) {
        failed++;
      }
      pairs.push({ disabled, base, off });
    }
  }
  // Runs of one variant summarized, with the median run's CPU per request (one noisy run does not move it).
  const medianSummary = (runs: RunResult[]): Summary => ({
    ...summarize(runs, 'service', cell)!,
    cpuMsPerRequest: percentile(runs.map(cpuMsPerRequest), 50),
  });
  const baseline = medianSummary(pairs.map((pair) => pair.base));
  const rows = variants.map((disabled) => {
    const mine = pairs.filter((pair) => pair.disabled === disabled);
    const savings = mine.map((pair) => cpuMsPerRequest(pair.base) - cpuMsPerRequest(pair.off));
    const what =
      disabled === CONTROL
        ? 'nothing: the service as built beside itself (control; its "saving" is the noise)'
        : (LAYERS.find((layer) => layer.name === disabled)?.what ??
          'all of the above at once (every name, comma-separated)');
    return {
      disabled,
      what,
      summary: medianSummary(mine.map((pair) => pair.off)),
      savedMs: percentile(savings, 50),
      savedRangeMs: [Math.min(...savings), Math.max(...savings)] as [number, number],
    };
  });
  return { cell, supported: true, baseline, rows, failed };
}
