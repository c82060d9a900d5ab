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

  it("locally, writes to STORAGE_QUEUE_NAME in the connection string's account, signed with its key", async () => {
    server.answerWith({ status: 201, body: '' });
    const queue = client({ maxTries: 1, tryTimeoutMs: 1_000, retryDelayMs: 0 });
    await queue.sendMessage('m').catch(() => undefined);
    expect(server.requests[0]?.url).toMatch(/^\/devstoreaccount1\/code-requests\/messages\?/);
    expect(server.requests[0]?.headers.authorization).toMatch(/^SharedKey devstoreaccount1:/);
  });
});

describe('createQueueClient in Azure', () => {
  it('addresses STORAGE_QUEUE_URL with a Storage token of the app credential, even beside a connection string', async () => {
    const url = 'https://127.0.0.1:1/account/code-requests';
    const tokens = new StaticTokenCredential();
    const queue = { maxTries: 1, tryTimeoutMs: 1_000, retryDelayMs: 0 };
    const azureQueue = createQueueClient(
      testConfig({ STORAGE_QUEUE_URL: url }, { queue }),
      new AppCredential(tokens, 1_000, 'fix'),
    );
    expect(azureQueue.url).toBe(url);
    await expect(azureQueue.sendMessage('m')).rejects.toBeDefined(); // nothing listens there
    expect(tokens.calls.flatMap((call) => call.scopes)).toEqual(['https://storage.azure.com/.default']);
  });
});
