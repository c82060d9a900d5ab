/**
 * `npm run dev`: the whole local stack, no Azure account needed.
 *   - Azurite's queue service (in memory)
 *   - the reference third-party API
 *   - the app in watch mode
 *   - with `npm run dev -- --redis`: redis-server (in memory), which the app shares its rate limits through
 * Environment: your shell, then .env, then .env.example. Ctrl-C stops them all.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs, parseEnv } from 'node:util';
import { freePort, waitForPort } from './ports.ts';

const fromFile = (path: string): Record<string, string> =>
  existsSync(path) ? (parseEnv(readFileSync(path, 'utf8')) as Record<string, string>) : {};
const env: NodeJS.ProcessEnv = { ...fromFile('.env.example'), ...fromFile('.env'), ...process.env };
const bin = (name: string): string => `node_modules/.bin/${name}`;
const children: ChildProcess[] = [];

/** One line on stderr and exit code 1, before anything has started. */
function fail(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

/** `--redis` or nothing: a typo must not start the stack without what was asked for. */
function flags(): { redis: boolean } {
  try {
    return parseArgs({ options: { redis: { type: 'boolean', default: false } } }).values;
  } catch {
    fail(`npm run dev: unknown argument in "${process.argv.slice(2).join(' ')}"; the one option is -- --redis`);
  }
}

const withRedis = flags().redis;

interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin before it is closed (empty by default). */
  input?: string;
}

function start(name: string, command: string, args: string[], options: StartOptions = {}): void {
  // Own process group: Ctrl-C reaches only this script, which then stops each child once.
  const child = spawn(command, args, {
    env: { ...env, ...options.env },
    stdio: 'pipe',
    detached: true,
  });
  child.stdin.on('error', () => undefined); // from a child that exits at once; its exit is reported below
  child.stdin.end(options.input);
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

/** In memory, loopback only; `-` reads the rest of the configuration (the password) from stdin. */
const REDIS_ARGS = ['-', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
const REDIS_MISSING =
  'npm run dev -- --redis needs redis-server: sudo apt-get install redis-server (Debian, Ubuntu) or brew install redis (macOS)';

/**
 * redis-server on a free port with a random password, which reaches it on
 * stdin (a command line is public to `ps`) and the app in REDIS_URL only.
 */
async function startRedis(): Promise<{ url: string; port: number }> {
  if (spawnSync('redis-server', ['--version'], { env }).error) {
    fail(REDIS_MISSING);
  }
  const port = await freePort();
  const password = randomBytes(24).toString('hex');
  start('redis', 'redis-server', [...REDIS_ARGS, '--port', String(port)], { input: `requirepass ${password}\n` });
  return { url: `redis://:${password}@127.0.0.1:${port}`, port };
}

// An existing REDIS_URL (.env or the shell) wins: the app uses that one and none is started.
const redisUrlSet = Boolean(env.REDIS_URL?.trim());
if (withRedis && redisUrlSet) {
  process.stdout.write('[redis] REDIS_URL is already set: the app uses that Redis, none started\n');
}
const redis = withRedis && !redisUrlSet ? await startRedis() : undefined;

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
  env: { REFERENCE_API_KEYS: env.THIRD_PARTY_API_KEY, REFERENCE_API_PORT: referenceApiPort },
});
await waitForPort(azuritePort);
if (redis) {
  await waitForPort(redis.port);
  process.stdout.write(`[redis] rate limits are shared through the Redis on 127.0.0.1:${redis.port} (in memory)\n`);
}
start('app', bin('nest'), ['start', '--watch', '--preserveWatchOutput'], { env: redis && { REDIS_URL: redis.url } });
