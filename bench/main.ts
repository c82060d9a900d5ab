import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchOptions, describeCell, parseOptions, USAGE } from './options.ts';
import { mainThreadTimes, type ProfileResult } from './profile.ts';
import { writeReport } from './report.ts';
import { measureOverload, type OverloadResult } from './overload.ts';
import {
  cpuMsPerRequest,
  type Implementation,
  measure,
  MINIMAL,
  type RunResult,
  SERVICE,
  type Target,
} from './runs.ts';
import { onFreshStack } from './stack.ts';
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
  const implementations = [SERVICE, MINIMAL];
  const workDir = mkdtempSync(join(tmpdir(), 'aia-bench-'));
  const loadBefore = loadavg();
  try {
    const runs = await measureAll(workDir, implementations, options);
    const profiled = options.profile
      ? await onFreshStack(workDir, (target) => profileEach(target, implementations, options))
      : undefined;
    profiled?.runs.forEach((run) => progress(run));
    const overloads: OverloadResult[] = [];
    for (const connections of options.quick ? [] : (['pooled', 'new'] as const)) {
      const overload = await onFreshStack(workDir, (target) => measureOverload(target, SERVICE, connections));
      process.stdout.write(`overload (${connections} connections): ${JSON.stringify(overload)}\n`);
      overloads.push(overload);
    }
    await writeReport({
      options,
      comparisons: compare(runs, options.cells),
      profiles: profiled?.profiles,
      overloads,
      loadBefore,
    });
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
