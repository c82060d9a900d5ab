import { CredentialUnavailableError } from '@azure/identity';
import { RestError } from '@azure/storage-queue';
import { Test } from '@nestjs/testing';
import { StaticTokenCredential } from '../../test/doubles/static-credential.js';
import { AppCredential } from '../azure/app-credential.js';
import { FakeQueueClient } from '../../test/doubles/fake-queue-client.js';
import { LogCapture } from '../../test/doubles/log-capture.js';
import { queueConfig } from '../config/config.module.js';
import { decodeMessage } from './code-message.js';
import { CodeQueue } from './code-queue.service.js';
import { QUEUE_CLIENT } from './queue.constants.js';

const MESSAGE = { code: 'abC-42-XyZ', timestamp: '2026-11-29T10:00:00.000Z', requestId: 'req-1' };
const BASE_CONFIG = { messageTtlSeconds: 3600, createIfNotExists: true } as const;

describe('CodeQueue', () => {
  let client: FakeQueueClient;
  let logs: LogCapture;

  beforeEach(() => {
    client = new FakeQueueClient();
    logs = new LogCapture();
  });

  async function createQueue(config: Partial<typeof BASE_CONFIG> | object = {}): Promise<CodeQueue> {
    const moduleRef = await Test.createTestingModule({
      providers: [
        CodeQueue,
        { provide: QUEUE_CLIENT, useValue: client.asQueueClient() },
        { provide: AppCredential, useValue: new AppCredential(new StaticTokenCredential(), 1_000) },
        { provide: queueConfig.KEY, useValue: { ...BASE_CONFIG, ...config } },
      ],
    })
      .setLogger(logs)
      .compile();
    await moduleRef.init();
    return moduleRef.get(CodeQueue);
  }

  it('writes the message as base64-encoded JSON with the configured time-to-live', async () => {
    const queue = await createQueue();
    await queue.publish(MESSAGE);
    expect(client.sent).toHaveLength(1);
    const [sent] = client.sent;
    expect(Buffer.from(sent?.text ?? '', 'base64').toString('utf8')).toBe(JSON.stringify(MESSAGE));
    expect(decodeMessage(sent?.text ?? '')).toEqual(MESSAGE);
    expect(sent?.options?.messageTimeToLive).toBe(3600);
  });

  it('creates the queue once at start-up, or not at all when switched off', async () => {
    client.exists = false;
    const queue = await createQueue();
    expect(client.creates).toBe(1);
    await expect(queue.checkAccess()).resolves.toBe(
      'Storage queue "code-requests" at devstoreaccount1: reachable with a connection string (local development); queue created',
    );

    client = new FakeQueueClient();
    const unchecked = await createQueue({ createIfNotExists: false });
    expect(client.creates).toBe(0);
    await expect(unchecked.checkAccess()).resolves.toMatch(/queue not checked$/);
  });

  it('names the identity it writes as when it uses the Entra credential', async () => {
    const queue = await createQueue({ queueUrl: 'https://stcodes.queue.core.windows.net/code-requests' });
    await expect(queue.checkAccess()).resolves.toMatch(
      /reachable with a token as application test-app .*; queue exists$/,
    );
  });

  it('survives a failed creation at start-up and creates the queue on the first write', async () => {
    client.exists = false;
    client.createFailures = [new RestError('down', { statusCode: 503 })];
    const queue = await createQueue();
    await expect(queue.checkAccess()).rejects.toMatchObject({
      code: 'QUEUE_UNAVAILABLE',
      hint: expect.stringMatching(/Request to queue "code-requests".*HTTP 503/) as string,
    });

    await queue.publish(MESSAGE);
    expect(client.creates).toBe(2);
    expect(client.sent).toHaveLength(1);
  });

  it('is not ready after a failure, probes in the background while not ready, and is ready once the probe succeeds', async () => {
    client.createFailures = [new RestError('down', { statusCode: 503 }), new RestError('down', { statusCode: 503 })];
    const queue = await createQueue();
    await expect(queue.checkAccess()).rejects.toMatchObject({ code: 'QUEUE_UNAVAILABLE' });
    expect(client.creates).toBe(1);

    expect(queue.health()).toMatchObject({ available: false, detail: expect.stringMatching(/HTTP 503/) as string });
    expect(queue.health().available).toBe(false); // one probe at a time
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.creates).toBe(2); // that probe failed too

    queue.health();
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.creates).toBe(3);
    expect(queue.health()).toMatchObject({ available: true });
  });

  it('waits out the failure window without probing when it may not create the queue', async () => {
    const queue = await createQueue({ createIfNotExists: false });
    client.sendFailures = [new RestError('busy', { statusCode: 503 })];
    await expect(queue.publish(MESSAGE)).rejects.toMatchObject({ code: 'QUEUE_UNAVAILABLE' });
    expect(queue.health().available).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.creates).toBe(0);
    await queue.publish(MESSAGE);
    expect(queue.health().available).toBe(true); // a successful write clears it
  });

  it('reports a missing queue when it may not create it', async () => {
    const queue = await createQueue({ createIfNotExists: false });
    client.exists = false;
    await expect(queue.publish(MESSAGE)).rejects.toMatchObject({ code: 'QUEUE_NOT_FOUND', status: 503 });
  });

  it.each([
    [
      'a 403 for a missing role',
      new RestError('denied', { statusCode: 403, code: 'AuthorizationPermissionMismatch' }),
      'QUEUE_ACCESS_DENIED',
      /Storage Queue Data Message Sender/,
    ],
    [
      'a 403 for a rejected token',
      new RestError('denied', { statusCode: 403, code: 'AuthenticationFailed' }),
      'QUEUE_ACCESS_DENIED',
      /rejected the app's token .*tenant/,
    ],
    ['503', new RestError('busy', { statusCode: 503 }), 'QUEUE_UNAVAILABLE', /HTTP 503/],
    [
      'a refused connection',
      Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
      'QUEUE_UNAVAILABLE',
      /ECONNREFUSED/,
    ],
    ['a credential failure', new CredentialUnavailableError('none'), 'CREDENTIAL_UNAVAILABLE', /az login/],
  ])('translates %s into %s (503) with a hint', async (_case, error, code, hint) => {
    const queue = await createQueue();
    client.sendFailures = [error];
    const failure = (await queue.publish(MESSAGE).catch((e: unknown) => e)) as { code: string; hint: string };
    expect(failure).toMatchObject({ code, status: 503, retryAfterSeconds: expect.any(Number) as number });
    expect(failure.hint).toMatch(hint);
    expect(client.sent).toHaveLength(0);
  });
});
