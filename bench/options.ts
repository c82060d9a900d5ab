import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** One measured situation: how long the third party takes, how many connections the load generator keeps busy. */
export interface Cell {
  delayMs: number;
  connections: number;
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
  /** Where the report and the chart go: BENCHMARKS.md at the top level, or test-output/ for a quick run. */
  markdownPath: string;
  svgPath: string;
  /** A remark printed at the top of the report, e.g. about the machine's state during the run. */
  note?: string;
  /** The command line, for the report. */
  command: string;
}

export const USAGE = `npm run bench -- [--duration <s>] [--rounds <n>] [--quick] [--profile] [--note <text>]
  --duration <s>  measured seconds per implementation and cell (default 10)
  --rounds <n>    runs of each implementation per cell, alternating (default 2)
  --quick         a few seconds, one cell, one round; writes to test-output/bench/ (for CI)
  --profile       also a CPU profile of each implementation: CPU time by layer and by package
  --note <text>   a remark printed at the top of the report`;

export const describeCell = (cell: Cell): string => `third party ${cell.delayMs} ms, ${cell.connections} conn.`;

const quote = (arg: string): string => (/^[\w./=-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
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
    markdownPath: `${outDir}BENCHMARKS.md`,
    svgPath: quick ? `${outDir}bench.svg` : 'docs/bench.svg',
    note: values.note,
    command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv.map(quote)] : [])].join(' '),
  };
}

/** The node flags of the container's CMD (Dockerfile, `app` stage), so the bench runs what App Service runs. */
export function containerNodeArgs(dockerfile = readFileSync('Dockerfile', 'utf8')): string[] {
  const commands = [...dockerfile.matchAll(/^CMD (\[.*\])\s*$/gm)].map(
    (match) => JSON.parse(match[1] ?? '[]') as string[],
  );
  const app = commands.find((command) => command.includes('dist/main.js'));
  if (!app || app[0] !== 'node') {
    throw new Error('no `CMD ["node", ..., "dist/main.js"]` in the Dockerfile');
  }
  return app.slice(1, app.indexOf('dist/main.js'));
}
