import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { QueueClient } from '@azure/storage-queue';
import { createClient } from '@redis/client';
import type { CodeResponseDto } from '../../src/codes/dto/code-response.dto.js';
import { CODE_PATTERN } from '../../src/codes/code-format.js';
import { decodeMessage } from '../../src/queue/code-message.js';
import { Azurite, drainQueue } from '../support/azurite.js';
import { followChild } from '../support/child-processes.js';
import { eventually } from '../support/eventually.js';
import { getCode } from '../support/get-code.js';
import { freePort, waitForPort } from '../../scripts/ports.js';

interface DevStack {
  child: ChildProcess;
  ports: { app: number; azurite: number; referenceApi: number };
  /** What the script wrote to stdout and stderr so far. */
  output: () => string;
}

/** The part of `/health/ready`'s body read here. */
/** The stack's environment: free ports, and no REDIS_URL of the runner's. */
async function stackEnv(): Promise<{ ports: DevStack['ports']; env: NodeJS.ProcessEnv }> {
  const ports = { app: await freePort(), azurite: await freePort(), referenceApi: await freePort() };
  const env = {
    ...process.env,
    NODE_OPTIONS: '',
    PORT: String(ports.app),
    THIRD_PARTY_API_ENDPOINT: `http://127.0.0.1:${ports.referenceApi}/api/RandomNumber`,
    AZURE_STORAGE_CONNECTION_STRING: Azurite.connectionString(ports.azurite),
    REDIS_URL: '',
  };
  return { ports, env };
}

/** `node scripts/dev.ts ...args` (what `npm run dev -- ...args` runs), once the app listens. */
async function startDev(args: string[] = []): Promise<DevStack> {
  const { ports, env } = await stackEnv();
  const child = spawn(process.execPath, ['scripts/dev.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  void followChild(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitForPort(ports.app, 90_000);
  return { child, ports, output: () => output };
}

/** As Ctrl-C: dev.ts stops its children (SIGKILL after 5 s), then exits; a SIGKILL would orphan them. */
async function stopDev(dev: DevStack | undefined): Promise<void> {
  if (dev?.child.exitCode === null) {
    dev.child.kill('SIGINT');
    await once(dev.child, 'exit');
  }
}

/** The REDIS_URL that the processes started by `pid` were given (Linux: /proc); the others have it blank. */
function redisUrlOfChildren(pid: number): URL {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ');
  const vars = children.flatMap((child) => readFileSync(`/proc/${child}/environ`, 'utf8').split('\0'));
  const url = vars.find((line) => /^REDIS_URL=./.test(line));
  if (url === undefined) {
    throw new Error(`no process started by ${pid} was given a REDIS_URL`);
  }
  return new URL(url.slice('REDIS_URL='.length));
}

/**
 * The README's run command, `npm run dev` (node scripts/dev.ts), on free
 * ports: Azurite + the reference API + the app in watch mode, defaults from
 * .env.example, and all of it gone after Ctrl-C.
 */
describe('npm run dev (the local stack)', () => {
  let dev: DevStack;

  beforeAll(async () => {
    dev = await startDev();
  }, 100_000);

  afterAll(() => stopDev(dev), 15_000);

  it('serves a code whose message lands in the local Azurite queue', async () => {
    const res = await getCode(`http://127.0.0.1:${dev.ports.app}`);
    expect(res.status).toBe(200);
    const { code } = res.body as CodeResponseDto;
    expect(code).toMatch(CODE_PATTERN);

    const queue = new QueueClient(Azurite.connectionString(dev.ports.azurite), 'code-requests');
    const messages = await drainQueue(queue);
    expect(messages.map((text) => decodeMessage(text).code)).toEqual([code]);
    expect(dev.output()).toContain('[reference-api] Reference third-party API listening');
    expect(dev.output()).toMatch(/\[app\] .*KEY_VAULT_URL is not set/);
    expect(dev.output()).not.toContain('[redis]');
  });

  it('stops Azurite, the reference API and the app on Ctrl-C', async () => {
    await stopDev(dev);
    for (const port of Object.values(dev.ports)) {
      await expect(waitForPort(port, 200)).rejects.toThrow(/nothing listens/);
    }
  }, 15_000);
});

/**
 * `npm run dev -- --redis`: the same stack plus redis-server in memory, whose
 * random password reaches the app in REDIS_URL and is never printed.
 */
describe('npm run dev -- --redis (rate limits shared through a local Redis)', () => {
  let dev: DevStack;
  let redisUrl: URL;

  beforeAll(async () => {
    dev = await startDev(['--redis']);
    redisUrl = redisUrlOfChildren(dev.child.pid!);
  }, 100_000);

  afterAll(() => stopDev(dev), 15_000);

  it('counts the rate limits in that Redis and never prints its password', async () => {
    const base = `http://127.0.0.1:${dev.ports.app}`;
    expect(redisUrl.password).toMatch(/^[0-9a-f]{48}$/);
    await eventually(() => Promise.resolve(dev.output().includes('rate limits are shared by every instance')));
    expect((await getCode(base)).status).toBe(200);

    const redis = await createClient({ url: redisUrl.href }).connect();
    try {
      expect(await redis.dbSize()).toBeGreaterThan(0); // the counters of the request above
    } finally {
      redis.destroy();
    }
    expect(dev.output()).toContain(`[redis] rate limits are shared through the Redis on 127.0.0.1:${redisUrl.port}`);
    expect(dev.output()).not.toContain(redisUrl.password);
  });

  it('stops redis-server with the rest on Ctrl-C', async () => {
    await stopDev(dev);
    for (const port of [...Object.values(dev.ports), Number(redisUrl.port)]) {
      await expect(waitForPort(port, 200)).rejects.toThrow(/nothing listens/);
    }
    expect(dev.output()).toContain('[redis] exited (0)');
  }, 15_000);

  it('says in one line how to install redis-server when it is missing', async () => {
    const { env } = await stackEnv();
    const child = spawn(process.execPath, ['scripts/dev.ts', '--redis'], {
      env: { ...env, PATH: '/nonexistent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    void followChild(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    expect(output.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/needs redis-server: sudo apt-get install redis-server .* or brew install redis/),
    ]);
  });
});
