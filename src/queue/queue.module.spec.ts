import { ScriptedHttpServer } from '../../test/doubles/scripted-http-server.js';
import { StaticTokenCredential } from '../../test/doubles/static-credential.js';
import { Azurite } from '../../test/support/azurite.js';
import { testConfig } from '../../test/support/test-config.js';
import { AppCredential } from '../azure/app-credential.js';
import { createQueueClient } from './queue.module.js';

describe('createQueueClient: the SDK retry policy the queue write runs under', () => {
  let server: ScriptedHttpServer;
  let port: number;

  beforeEach(async () => {
    server = new ScriptedHttpServer();
    port = Number(new URL(await server.start()).port);
  });

  afterEach(() => server.stop());

  function client(queue: { maxTries: number; tryTimeoutMs: number; retryDelayMs: number }) {
    // The storage protocol spoken by a scripted server instead of Azurite: the SDK's own retry policy runs.
    const config = testConfig({ AZURE_STORAGE_CONNECTION_STRING: Azurite.connectionString(port) }, { queue });
    return createQueueClient(config, new AppCredential(new StaticTokenCredential(), 1_000, 'fix'));
  }

  it('makes maxTries attempts, each with the server-side timeout', async () => {
    server.answerWith({ status: 503, body: '' });
    await expect(client({ maxTries: 3, tryTimeoutMs: 2_000, retryDelayMs: 30 }).sendMessage('m')).rejects.toMatchObject(
      { statusCode: 503 },
    );
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((r) => new URL(r.url, 'http://127.0.0.1').searchParams.get('timeout'))).toEqual([
      '2',
      '2',
      '2',
    ]);
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
    const write = client({ maxTries: 5, tryTimeoutMs: 1_000, retryDelayMs: 2_000 }).sendMessage('m', {
      abortSignal: AbortSignal.timeout(500),
    });
    await expect(write).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.requests.length).toBeLessThan(5);
  });
});
