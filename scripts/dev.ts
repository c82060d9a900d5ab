/**
 * `npm run dev`: the whole local stack, no Azure account needed.
 *   - Azurite's queue service (in memory)
 *   - the reference third-party API
 *   - the app in watch mode
 * Environment: your shell, then .env, then .env.example. Ctrl-C stops all three.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { waitForPort } from './ports.ts';

const fromFile = (path: string): Record<string, string> =>
  existsSync(path) ? (parseEnv(readFileSync(path, 'utf8')) as Record<string, string>) : {};
const env: NodeJS.ProcessEnv = { ...fromFile('.env.example'), ...fromFile('.env'), ...process.env };
const bin = (name: string): string => `node_modules/.bin/${name}`;
const children: ChildProcess[] = [];

function start(name: string, command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): void {
  // Own process group: Ctrl-C reaches only this script, which then stops each child once.
  const child = spawn(command, args, {
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = `[${name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk.toString().replace(/^(?=.)/gm, prefix));
    });
  }
  child.on('exit', (code, signal) => {
    process.stdout.write(`${prefix}exited (${signal ?? code})\n`);
    stop(code ?? 1);
  });
  children.push(child);
}

/** Signals a child's whole process group: `nest start` runs the app as a grandchild. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

let stopping = false;
function stop(exitCode = 0): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) signalGroup(child, 'SIGTERM');
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  void Promise.all(running.map((child) => new Promise((resolve) => child.once('exit', resolve)))).then(() =>
    process.exit(exitCode),
  );
  setTimeout(() => {
    for (const child of children) signalGroup(child, 'SIGKILL');
    process.exit(exitCode);
  }, 5_000).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

// Ports come from the app's own settings, so the stack and the app cannot disagree.
const queueEndpoint = /QueueEndpoint=([^;]+)/.exec(env.AZURE_STORAGE_CONNECTION_STRING ?? '')?.[1];
const azuritePort = queueEndpoint ? Number(new URL(queueEndpoint).port) : 10001; // UseDevelopmentStorage=true
const referenceApiPort = new URL(env.THIRD_PARTY_API_ENDPOINT ?? 'http://127.0.0.1:7071/').port || '80';
start('azurite', bin('azurite-queue'), [
  '--inMemoryPersistence',
  '--skipApiVersionCheck',
  '--loose',
  '--disableTelemetry',
  '--queueHost',
  '127.0.0.1',
  '--queuePort',
  String(azuritePort),
]);
start('reference-api', process.execPath, ['reference-api/main.ts'], {
  REFERENCE_API_KEYS: env.THIRD_PARTY_API_KEY,
  REFERENCE_API_PORT: referenceApiPort,
});
await waitForPort(azuritePort);
start('app', bin('nest'), ['start', '--watch', '--preserveWatchOutput']);
