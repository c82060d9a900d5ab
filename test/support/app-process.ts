import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort, waitForPort } from '../../scripts/ports.js';
import { uniqueQueueName } from './azurite.js';

/**
 * `node dist/main.js` (built once per run by the e2e project's global setup)
 * as a child process with exactly the given environment (plus PATH): the
 * production build, seen from outside.
 */
export class AppProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(
    env: Record<string, string>,
    { nodeArgs = [], ...options }: { cwd?: string; uid?: number; gid?: number; nodeArgs?: string[] } = {},
  ) {
    this.child = spawn(process.execPath, [...nodeArgs, 'dist/main.js'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get output(): string {
    return this.stdout + this.stderr;
  }

  /** Resolves when the output matches; rejects if the process exits first or time runs out. */
  async waitForOutput(pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline) {
        throw new Error(`output never matched ${pattern}:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  waitForPort(port: number): Promise<void> {
    return waitForPort(port);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill(signal);
    }
    return this.exited;
  }
}

export interface LocalAppProcess {
  app: AppProcess;
  port: number;
  base: string;
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
  const port = await freePort();
  const queueName = uniqueQueueName();
  const app = new AppProcess({
    NODE_ENV: 'test',
    PORT: String(port),
    THIRD_PARTY_API_ENDPOINT: local.endpoint,
    THIRD_PARTY_API_KEY: local.key,
    AZURE_STORAGE_CONNECTION_STRING: local.connectionString,
    STORAGE_QUEUE_NAME: queueName,
    ...env,
  });
  await app.waitForPort(port);
  await app.waitForOutput(/StartupDiagnostics[\s\S]*StartupDiagnostics/);
  return { app, port, base: `http://127.0.0.1:${port}`, queueName };
}
