import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProductionStack } from '../test/support/production-stack.ts';
import { type BenchOptions, containerNodeArgs, describeCell, parseOptions, USAGE } from './options.ts';
import { mainThreadTimes, type ProfileResult } from './profile.ts';
import { writeReport } from './report.ts';
import { cpuMsPerRequest, type Implementation, measure, type RunResult, type Target } from './runs.ts';
import { benchProblems, compare } from './summary.ts';

const ms = (value: number): string => value.toFixed(value < 10 ? 2 : 1);

function progress(run: RunResult): void {
  const rps = run.ok / run.seconds;
  const cpu = run.ok > 0 ? cpuMsPerRequest(run).toFixed(3) : '-';
  process.stdout.write(
    `${run.implementation.padEnd(8)} ${describeCell(run.cell).padEnd(30)} ${rps.toFixed(0).padStart(6)} req/s  ` +
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

/** One more run of each implementation with --cpu-prof, on the busiest cell: its profile's times, and the run. */
async function profileEach(
  target: Target,
  implementations: Implementation[],
  options: BenchOptions,
): Promise<{ profiles: Record<string, ProfileResult>; runs: RunResult[] }> {
  const connections = Math.max(...options.cells.map((cell) => cell.connections));
  const profiles: Record<string, ProfileResult> = {};
  const runs: RunResult[] = [];
  for (const implementation of implementations) {
    const dir = join('test-output', 'bench', 'profiles', implementation.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
    const run = await measure(target, implementation, { delayMs: 0, connections }, options, nodeArgs);
    profiles[implementation.name] = mainThreadTimes(dir, run.windowUs, run.ok);
    process.stdout.write(`profile: ${profiles[implementation.name]?.file}\n`);
    runs.push(run);
  }
  return { profiles, runs };
}

/**
 * Runs the whole bench; resolves to the exit code: 1 when any answer was wrong or missing, or an implementation has
 * no result for a cell (the report is written first, showing what failed).
 */
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
    const profiled = options.profile
      ? await onFreshStack(workDir, (target) => profileEach(target, implementations, options))
      : undefined;
    profiled?.runs.forEach((run) => progress(run));
    await writeReport({ options, comparisons: compare(runs, options.cells), profiles: profiled?.profiles, loadBefore });
    process.stdout.write(`\nwritten: ${options.markdownPath}, ${options.svgPath}\n`);
    const problems = benchProblems([...runs, ...(profiled?.runs ?? [])], options.cells);
    if (problems.length > 0) {
      process.stderr.write(`bench FAILED:\n${problems.map((problem) => `- ${problem}\n`).join('')}`);
      return 1;
    }
    return 0;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
