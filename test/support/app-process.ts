import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, waitForPort } from '../../scripts/ports.js';
import { uniqueQueueName } from './azurite.js';
import { followChild } from './child-processes.js';
import { sleep } from './sleep.js';

export interface AppProcessOptions {
  cwd?: string;
  uid?: number;
  gid?: number;
  nodeArgs?: string[];
  /** The Node executable; by default the one running the tests. */
  node?: string;
}

/**
 * `node dist/main.js` (built once per run by the e2e project's global setup)
 * as a child process with exactly the given environment (plus PATH): the
 * production build, seen from outside. A process that cannot start (no such
 * binary, no permission) fails every wait at once and `stop()` still resolves.
 */
export class AppProcess {
  stdout = '';
  stderr = '';
  /** The exit code (null after a signal); rejects with the spawn error if the process never ran. */
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly gone: Promise<void>;
  private spawnError?: Error;

  constructor(
    env: Record<string, string>,
    { nodeArgs = [], node = process.execPath, ...options }: AppProcessOptions = {},
  ) {
    this.child = spawn(node, [...nodeArgs, 'dist/main.js'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.child.once('error', (error) => (this.spawnError ??= this.child.pid === undefined ? error : undefined));
    this.gone = followChild(this.child);
    this.exited = this.gone.then(() => {
      if (this.spawnError) {
        throw this.spawnError;
      }
      return this.child.exitCode;
    });
    this.exited.catch(() => undefined); // whoever awaits it sees the rejection; nobody has to
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get output(): string {
    return this.stdout + this.stderr;
  }

  /** Why waiting for it is pointless, if it is: it never started, or it has exited. */
  private ended(): string | undefined {
    if (this.spawnError) {
      return `(the app never started: ${this.spawnError.message})`;
    }
    const { exitCode, signalCode } = this.child;
    return exitCode !== null || signalCode !== null ? `(the app exited: ${signalCode ?? exitCode})` : undefined;
  }

  /** Resolves when the output matches; rejects if the process ends first or time runs out. */
  async waitForOutput(pattern: RegExp | ((output: string) => boolean), timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const matches = typeof pattern === 'function' ? pattern : (output: string) => pattern.test(output);
    while (!matches(this.output)) {
      if (this.ended() !== undefined || Date.now() > deadline) {
        throw new Error(`output never matched ${String(pattern)} ${this.ended() ?? ''}:\n${this.output}`);
      }
      await sleep(50);
    }
  }

  /** Resolves once the app listens; rejects at once if it could not start or has exited. */
  async waitForPort(port: number): Promise<void> {
    try {
      await waitForPort(port, 15_000, () => this.ended());
    } catch (error) {
      throw new Error(`${(error as Error).message}:\n${this.output}`, { cause: error });
    }
  }

  /**
   * Signals the process and resolves with its exit code: null after a signal
   * or when it never started. SIGKILL follows if it is still running after
   * `killAfterMs`.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 10_000): Promise<number | null> {
    if (this.ended() === undefined) {
      this.child.kill(signal);
    }
    const kill = setTimeout(() => this.child.kill('SIGKILL'), killAfterMs);
    await this.gone;
    clearTimeout(kill);
    return this.spawnError ? null : this.child.exitCode;
  }
}

/** The three start-up checks (Key Vault, the queue, the rate-limit store) have reported, passing or not. */
const DIAGNOSED = (output: string) => output.split('"StartupDiagnostics"').length > 3;

export interface StartedApp {
  app: AppProcess;
  port: number;
  base: string;
}

/**
 * The production build on a free port, with the environment `envFor(port)`
 * gives. Resolves once it listens and its start-up diagnostics have
 * reported; a start that fails stops the process.
 */
export async function startAppProcess(
  envFor: (port: number) => Record<string, string>,
  options: AppProcessOptions = {},
  timeoutMs = 30_000,
): Promise<StartedApp> {
  const port = await freePort();
  const app = new AppProcess(envFor(port), options);
  try {
    await app.waitForPort(port);
    await app.waitForOutput(DIAGNOSED, timeoutMs);
  } catch (error) {
    await app.stop('SIGKILL');
    throw error;
  }
  return { app, port, base: `http://127.0.0.1:${port}` };
}

export interface LocalAppProcess extends StartedApp {
  queueName: string;
}

/**
 * The production build on the local stack: the key from the environment,
 * Azurite by connection string, a queue of its own. Resolves once it listens
 * and its start-up diagnostics have reported.
 */
export async function startLocalAppProcess(
  local: { connectionString: string; endpoint: string; key: string },
  env: Record<string, string> = {},
): Promise<LocalAppProcess> {
  const queueName = uniqueQueueName();
  const started = await startAppProcess((port) => ({
    NODE_ENV: 'test',
    PORT: String(port),
    THIRD_PARTY_API_ENDPOINT: local.endpoint,
    THIRD_PARTY_API_KEY: local.key,
    AZURE_STORAGE_CONNECTION_STRING: local.connectionString,
    STORAGE_QUEUE_NAME: queueName,
    ...env,
  }));
  return { ...started, queueName };
}
