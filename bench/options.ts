import { parseArgs } from 'node:util';

/** One measured situation: how long the third party takes, how many connections the load generator keeps busy. */
export interface Cell {
  delayMs: number;
  connections: number;
  /** Requests per second in total (open loop), when the load is not as fast as the connections can go. */
  rate?: number;
}

export interface BenchOptions {
  /** Measured seconds per implementation and cell (after a warm-up). */
  durationSeconds: number;
  warmupSeconds: number;
  /** Runs of each implementation per cell, alternating service, minimal, service, minimal... */
  rounds: number;
  cells: Cell[];
  quick: boolean;
  /** Also a CPU profile of each implementation, with a table of self time by package. */
  profile: boolean;
  /** Also the cost of each layer of the service, switched off one at a time (BENCH_DISABLE). */
  costs: boolean;
  /** Where the report and the chart go: BENCHMARKS.md at the top level, or test-output/ for a quick run. */
  markdownPath: string;
  svgPath: string;
  /** A remark printed at the top of the report, e.g. about the machine's state during the run. */
  note?: string;
  /** The command line, for the report. */
  command: string;
}

export const USAGE = `npm run bench -- [--duration <s>] [--rounds <n>] [--quick] [--profile] [--no-costs] [--note <text>]
  --duration <s>  measured seconds per implementation and cell (default 10)
  --rounds <n>    runs of each implementation per cell, alternating (default 2; more for a steadier cost table)
  --quick         a few seconds, one cell, one round, no cost table; writes to test-output/bench/ (for CI)
  --profile       also writes a CPU profile of each implementation and a table of self time by package
  --no-costs      skip the cost table (the service with one layer switched off at a time)
  --note <text>   a remark printed at the top of the report`;

const quote = (arg: string): string => (/^[\w./=-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    allowNegative: true,
    options: {
      duration: { type: 'string' },
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      costs: { type: 'boolean' },
      note: { type: 'string' },
      rounds: { type: 'string' },
    },
  });
  const quick = values.quick;
  const durationSeconds = Number(values.duration ?? (quick ? 3 : 10));
  if (!Number.isFinite(durationSeconds) || durationSeconds < 1) {
    throw new Error(`--duration must be a number of seconds >= 1\n${USAGE}`);
  }
  const rounds = Number(values.rounds ?? (quick ? 1 : 2));
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new Error(`--rounds must be a whole number >= 1\n${USAGE}`);
  }
  const outDir = quick ? 'test-output/bench/' : '';
  return {
    durationSeconds,
    warmupSeconds: quick ? 1 : 2,
    rounds,
    cells: quick
      ? [{ delayMs: 0, connections: 10 }]
      : [0, 20].flatMap((delayMs) => [1, 50].map((connections) => ({ delayMs, connections }))),
    quick,
    profile: values.profile,
    costs: values.costs ?? !quick,
    markdownPath: `${outDir}BENCHMARKS.md`,
    svgPath: quick ? `${outDir}bench.svg` : 'docs/bench.svg',
    note: values.note,
    command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv.map(quote)] : [])].join(' '),
  };
}
