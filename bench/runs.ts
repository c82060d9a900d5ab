import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ProductionStack } from '../test/support/production-stack.ts';
import { freePort } from '../scripts/ports.ts';
import { checkAnswer, drive } from './load.ts';
import { type BenchOptions, type Cell, containerNodeArgs } from './options.ts';
import { MeasuredProcess } from './process.ts';

/** Request limits out of the way: the bench measures the cost of the limiter, not its refusals. */
const NO_RATE_LIMITS = { RATE_LIMIT_PER_CLIENT: '1000000', RATE_LIMIT_GLOBAL: '10000000' };

export interface Implementation {
  name: 'service' | 'minimal';
  script: string;
  nodeArgs: string[];
}

/** The service as the container runs it. */
export const SERVICE: Implementation = { name: 'service', script: 'dist/main.js', nodeArgs: containerNodeArgs() };
export const MINIMAL: Implementation = { name: 'minimal', script: 'bench/minimal.ts', nodeArgs: [] };

/** What the bench runs against: the production-shaped stack and the third party's base URL. */
export interface Target {
  stack: ProductionStack;
  thirdPartyBase: string;
  workDir: string;
}

export interface RunResult {
  implementation: Implementation['name'];
  cell: Cell;
  ok: number;
  failed: number;
  firstFailure?: string;
  seconds: number;
  latencyMs: { p50: number; p90: number; p99: number };
  cpuSeconds: number;
  peakRssMiB: number;
  /** From spawning the process to its first well-formed answer (the key read and the queue check included). */
  startupSeconds: number;
  /** The measured load's start and end on the monotonic clock (µs), as CPU profiles time their samples. */
  windowUs: { fromUs: number; toUs: number };
}

/** Copies an app's output out of the temporary folder, for a run that went wrong. */
function keepLog(logPath: string): string {
  const kept = join('test-output', 'bench', basename(logPath));
  mkdirSync(dirname(kept), { recursive: true });
  copyFileSync(logPath, kept);
  return kept;
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** Polls until the app answers with a well-formed code: the key is read, the token is there, the queue exists. */
async function firstAnswer(base: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/api/v1/getcode`, { signal: AbortSignal.timeout(15_000) });
      const problem = checkAnswer(res.status, await res.text());
      if (problem === undefined) {
        return;
      }
      last = problem;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the app never answered with a code: ${last}`);
}

/** The app's CPU time per answered request of one run, in ms; NaN without answers. */
export const cpuMsPerRequest = (run: RunResult): number => (run.ok > 0 ? (run.cpuSeconds * 1000) / run.ok : NaN);

/** Messages the queue holds (Azurite's approximate count is exact), then deletes the queue to keep Azurite lean. */
export async function drainCount(target: Target, queueName: string): Promise<number> {
  const queue = target.stack.queue(queueName);
  const { approximateMessagesCount = 0 } = await queue.getProperties();
  await queue.delete();
  return approximateMessagesCount;
}

/** A fresh process of one implementation, started and answering, on a queue of its own. */
export interface StartedImplementation {
  app: MeasuredProcess;
  base: string;
  queueName: string;
  logPath: string;
  /** From spawning the process to its first well-formed answer. */
  startupSeconds: number;
}

/** Starts an implementation against the stack, the third party answering after `delayMs`; waits for a code. */
export async function startImplementation(
  target: Target,
  implementation: Implementation,
  delayMs: number,
  extraNodeArgs: string[] = [],
): Promise<StartedImplementation> {
  const port = await freePort();
  const queueName = `bench-${implementation.name}-${randomBytes(4).toString('hex')}`;
  const env = target.stack.appEnvironment(port, queueName, {
    ...NO_RATE_LIMITS,
    THIRD_PARTY_API_ENDPOINT: `${target.thirdPartyBase}/delay/${delayMs}/api/RandomNumber`,
  });
  const logPath = join(target.workDir, `${queueName}.log`);
  const spawnedAt = performance.now();
  const app = new MeasuredProcess(implementation.script, [...implementation.nodeArgs, ...extraNodeArgs], env, logPath);
  try {
    await app.waitForPort(port);
    const base = `http://127.0.0.1:${port}`;
    await firstAnswer(base);
    return { app, base, queueName, logPath, startupSeconds: (performance.now() - spawnedAt) / 1000 };
  } catch (error) {
    await app.stop();
    throw new Error(`${implementation.name}: ${(error as Error).message}\n(its output: ${keepLog(logPath)})`, {
      cause: error,
    });
  }
}

/**
 * One fresh process of one implementation on one cell: start, first answer, warm-up, then the measured load with
 * the app's CPU time read before and after. Every answer is checked, and the queue must hold a message for each.
 */
export async function measure(
  target: Target,
  implementation: Implementation,
  cell: Cell,
  options: Pick<BenchOptions, 'durationSeconds' | 'warmupSeconds'>,
  extraNodeArgs: string[] = [],
): Promise<RunResult> {
  const { app, base, queueName, logPath, startupSeconds } = await startImplementation(
    target,
    implementation,
    cell.delayMs,
    extraNodeArgs,
  );
  try {
    const warmup = await drive(base, cell.connections, options.warmupSeconds);
    const cpuBefore = app.cpuSeconds();
    const fromUs = monotonicUs();
    const load = await drive(base, cell.connections, options.durationSeconds);
    const windowUs = { fromUs, toUs: monotonicUs() };
    const cpuSeconds = app.cpuSeconds() - cpuBefore;
    const peakRssMiB = app.peakRssMiB();
    const answered = 1 + warmup.ok + load.ok;
    const queued = await drainCount(target, queueName);
    const failed = load.failed + warmup.failed + (queued < answered ? 1 : 0);
    const problem =
      warmup.firstFailure ??
      load.firstFailure ??
      (queued < answered ? `${answered} codes answered, only ${queued} messages on the queue` : undefined);
    const firstFailure = problem === undefined ? undefined : `${problem} (app output: ${keepLog(logPath)})`;
    return {
      implementation: implementation.name,
      cell,
      ...load,
      failed,
      firstFailure,
      cpuSeconds,
      peakRssMiB,
      startupSeconds,
      windowUs,
    };
  } catch (error) {
    throw new Error(`${implementation.name}: ${(error as Error).message}\n(its output: ${keepLog(logPath)})`, {
      cause: error,
    });
  } finally {
    await app.stop();
  }
}
