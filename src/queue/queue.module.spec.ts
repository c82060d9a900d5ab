import { ScriptedHttpServer } from '../../test/doubles/scripted-http-server.js';
import { StaticTokenCredential } from '../../test/doubles/static-credential.js';
import { Azurite } from '../../test/support/azurite.js';
import { worstCaseQueueWriteMs } from '../config/app-config.js';
import type { QueueConfig } from '../config/config.module.js';
import { createQueueClient } from './queue.module.js';

describe('createQueueClient: the SDK retry policy the queue write runs under', () => {
  let server: ScriptedHttpServer;
  let port: number;

  beforeEach(async () => {
    server = new ScriptedHttpServer();
    port = Number(new URL(await server.start()).port);
  });

  afterEach(() => server.stop());

  function client(retry: { maxTries: number; tryTimeoutMs: number; retryDelayMs: number }) {
    const config = {
      // The storage protocol spoken by a scripted server instead of Azurite: the SDK's own retry policy runs.
      connectionString: Azurite.connectionString(port),
      queueName: 'codes',
      retry,
    } as QueueConfig;
    return createQueueClient(config, new StaticTokenCredential());
  }

  it('makes maxTries attempts with the server-side timeout, waiting 0 and then the retry delay', async () => {
    server.answerWith({ status: 503, body: '' });
    const retry = { maxTries: 3, tryTimeoutMs: 2_000, retryDelayMs: 300 };
    await expect(client(retry).sendMessage('m')).rejects.toMatchObject({ statusCode: 503 });
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((r) => new URL(r.url, 'http://127.0.0.1').searchParams.get('timeout'))).toEqual([
      '2',
      '2',
      '2',
    ]);
    const [first, second, third] = server.requests.map((r) => r.at) as [number, number, number];
    expect(second - first).toBeLessThan(250); // no delay after the first attempt
    expect(third - second).toBeGreaterThanOrEqual(280); // then the configured delay
    expect(worstCaseQueueWriteMs(retry)).toBe(3 * 2_000 + 300);
  });

  it('does not retry an answer that is not transient (403)', async () => {
    server.answerWith({ status: 403, body: '' });
    await expect(client({ maxTries: 3, tryTimeoutMs: 1_000, retryDelayMs: 0 }).sendMessage('m')).rejects.toMatchObject({
      statusCode: 403,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('stops at the abort signal even while retries remain', async () => {
    server.answerWith({ status: 503, body: '' });
    const started = Date.now();
    const write = client({ maxTries: 5, tryTimeoutMs: 1_000, retryDelayMs: 2_000 }).sendMessage('m', {
      abortSignal: AbortSignal.timeout(500),
    });
    await expect(write).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(server.requests.length).toBeLessThan(5);
  });
});
