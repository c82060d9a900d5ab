import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { QueueClient } from '@azure/storage-queue';
import type { CodeResponseDto } from '../../src/codes/dto/code-response.dto.js';
import { CODE_PATTERN } from '../../src/codes/code-format.js';
import { decodeMessage } from '../../src/queue/code-message.js';
import { Azurite, drainQueue } from '../support/azurite.js';
import { followChild } from '../support/child-processes.js';
import { getCode } from '../support/get-code.js';
import { freePort, waitForPort } from '../../scripts/ports.js';

/**
 * The README's run command, `npm run dev` (node scripts/dev.ts), on free
 * ports: Azurite + the reference API + the app in watch mode, defaults from
 * .env.example, and all of it gone after Ctrl-C.
 */
describe('npm run dev (the local stack)', () => {
  let dev: ChildProcess;
  let output = '';
  const ports = { app: 0, azurite: 0, referenceApi: 0 };

  beforeAll(async () => {
    ports.app = await freePort();
    ports.azurite = await freePort();
    ports.referenceApi = await freePort();
    dev = spawn(process.execPath, ['scripts/dev.ts'], {
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        PORT: String(ports.app),
        THIRD_PARTY_API_ENDPOINT: `http://127.0.0.1:${ports.referenceApi}/api/RandomNumber`,
        AZURE_STORAGE_CONNECTION_STRING: Azurite.connectionString(ports.azurite),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    void followChild(dev);
    dev.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForPort(ports.app, 90_000);
  }, 100_000);

  afterAll(async () => {
    if (dev?.exitCode === null) {
      dev.kill('SIGINT'); // as Ctrl-C: dev.ts stops its children (SIGKILL after 5 s), then exits; a SIGKILL would orphan them
      await once(dev, 'exit');
    }
  }, 15_000);

  it('serves a code whose message lands in the local Azurite queue', async () => {
    const res = await getCode(`http://127.0.0.1:${ports.app}`);
    expect(res.status).toBe(200);
    const { code } = res.body as CodeResponseDto;
    expect(code).toMatch(CODE_PATTERN);

    const queue = new QueueClient(Azurite.connectionString(ports.azurite), 'code-requests');
    const messages = await drainQueue(queue);
    expect(messages.map((text) => decodeMessage(text).code)).toEqual([code]);
    expect(output).toContain('[reference-api] Reference third-party API listening');
    expect(output).toMatch(/\[app\] .*KEY_VAULT_URL is not set/);
  });

  it('stops Azurite, the reference API and the app on Ctrl-C', async () => {
    dev.kill('SIGINT');
    await once(dev, 'exit');
    for (const port of Object.values(ports)) {
      await expect(waitForPort(port, 200)).rejects.toThrow(/nothing listens/);
    }
  }, 15_000);
});
