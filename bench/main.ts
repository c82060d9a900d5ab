import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProductionStack } from '../test/support/production-stack.ts';
import { type CostTable, measureCosts } from './costs.ts';
import { type BenchOptions, type Cell, parseOptions, USAGE } from './options.ts';
import { profile, type ProfileResult } from './profile.ts';
import { writeReport } from './report.ts';
import { cpuMsPerRequest, type Implementation, measure, type RunResult, type Target } from './runs.ts';
import { compare } from './summary.ts';

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

export const describeCell = (cell: Cell): string =>
  `third party ${cell.delayMs} ms, ${cell.connections} conn.${cell.rate ? ` at ${cell.rate}/s` : ''}`;

const ms = (value: number): string => value.toFixed(value < 10 ? 2 : 1);

function progress(run: RunResult, label: string = run.implementation): void {
  const rps = run.ok / run.seconds;
  const cpu = run.ok > 0 ? cpuMsPerRequest(run).toFixed(3) : '-';
  process.stdout.write(
    `${label.padEnd(24)} ${describeCell(run.cell).padEnd(30)} ${rps.toFixed(0).padStart(6)} req/s  ` +
      `p50 ${ms(run.latencyMs.p50)} p90 ${ms(run.latencyMs.p90)} p99 ${ms(run.latencyMs.p99)} ms  CPU ${cpu} ms/req  ` +
      `peak RSS ${run.peakRssMiB.toFixed(0)} MiB${run.failed > 0 ? `  FAILED ${run.failed}: ${run.firstFailure}` : ''}\n`,
  );
}

async function startThirdParty(key: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['bench/third-party.ts'], {
    env: { PATH: process.env.PATH ?? '', THIRD_PARTY_KEY: key },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { child, base: `http://127.0.0.1:${chunk.toString().trim()}` };
}

/**
 * A fresh stack (identity endpoint, vault, Azurite, third party) for one part of the bench, so no cell inherits
 * another's queue state or connections.
 */
async function onFreshStack<T>(workDir: string, work: (target: Target) => Promise<T>): Promise<T> {
  const stack = await ProductionStack.start();
  const thirdParty = await startThirdParty(stack.key).catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });
  try {
    return await work({ stack, thirdPartyBase: thirdParty.base, workDir });
  } finally {
    thirdParty.child.kill('SIGTERM');
    await stack.stop();
  }
}

async function measureAll(
  workDir: string,
  implementations: Implementation[],
  options: BenchOptions,
): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  for (const cell of options.cells) {
    await onFreshStack(workDir, async (target) => {
      for (let round = 0; round < options.rounds; round++) {
        for (const implementation of implementations) {
          const run = await measure(target, implementation, cell, options);
          progress(run);
          runs.push(run);
        }
      }
    });
  }
  return runs;
}

/** Runs the whole bench; resolves to the exit code (1 when any answer was wrong or missing). */
export async function runBench(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let options: BenchOptions;
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  execFileSync(process.execPath, ['node_modules/.bin/nest', 'build'], { stdio: 'inherit' });
  const implementations: Implementation[] = [
    { name: 'service', script: 'dist/main.js', nodeArgs: containerNodeArgs() },
    { name: 'minimal', script: 'bench/minimal.ts', nodeArgs: [] },
  ];
  const workDir = mkdtempSync(join(tmpdir(), 'aia-bench-'));
  const loadBefore = loadavg();
  try {
    const runs = await measureAll(workDir, implementations, options);
    let costs: CostTable | undefined;
    if (options.costs) {
      costs = await measureCosts(
        (work) => onFreshStack(workDir, work),
        implementations[0]!,
        options,
        (run, label) => progress(run, label),
      );
    }
    let profiles: Record<string, ProfileResult> | undefined;
    if (options.profile) {
      const dir = join('test-output', 'bench', 'profiles');
      profiles = await onFreshStack(workDir, (target) => profile(target, implementations, options, dir));
    }
    const comparisons = compare(runs, options.cells);
    await writeReport({ options, comparisons, costs, profiles, loadBefore });
    const failed = runs.filter((run) => run.failed > 0).length + (costs?.failed ?? 0);
    process.stdout.write(`\nwritten: ${options.markdownPath}, ${options.svgPath}\n`);
    if (failed > 0) {
      process.stderr.write(`bench FAILED: ${failed} run(s) had errors or wrong answers (see above)\n`);
      return 1;
    }
    return 0;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
