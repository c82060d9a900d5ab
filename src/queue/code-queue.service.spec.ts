import { CredentialUnavailableError } from '@azure/identity';
import { type QueueClient, RestError } from '@azure/storage-queue';
import { Test } from '@nestjs/testing';
import { FakeQueueClient } from '../../test/doubles/fake-queue-client.js';
import { LogCapture } from '../../test/doubles/log-capture.js';
import { StaticTokenCredential } from '../../test/doubles/static-credential.js';
import { testConfig } from '../../test/support/test-config.js';
import { AppCredential } from '../azure/app-credential.js';
import { AppConfig } from '../config/app-config.js';
import { decodeMessage } from './code-message.js';
import { CodeQueue, QUEUE_CLIENT } from './code-queue.service.js';

const MESSAGE = { code: 'abC-42-XyZ', timestamp: '2026-11-29T10:00:00.000Z', requestId: 'req-1' };

describe('CodeQueue', () => {
  let client: FakeQueueClient;
  let logs: LogCapture;

  beforeEach(() => {
    client = new FakeQueueClient();
    logs = new LogCapture();
  });

  async function createQueue({ createIfNotExists = true } = {}): Promise<CodeQueue> {
    const config = testConfig(
      { QUEUE_CREATE_IF_NOT_EXISTS: String(createIfNotExists) },
      { queue: { messageTtlSeconds: 3600 } },
    );
    const moduleRef = await Test.createTestingModule({
      providers: [
        CodeQueue,
        { provide: QUEUE_CLIENT, useValue: client.asQueueClient() },
        { provide: AppConfig, useValue: config },
        { provide: AppCredential, useValue: new AppCredential(new StaticTokenCredential(), 1_000, 'Run az login.') },
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
    await expect(queue.startup).resolves.toBe('created');
    expect(queue.target).toBe('queue "code-requests" at devstoreaccount1');

    client = new FakeQueueClient();
    const unchecked = await createQueue({ createIfNotExists: false });
    expect(client.creates).toBe(0);
    await expect(unchecked.startup).resolves.toBe('not checked');
  });

  it('finds an existing queue at start-up', async () => {
    const queue = await createQueue();
    expect(client.creates).toBe(1);
    await expect(queue.startup).resolves.toBe('exists');
  });

  it('names the storage account generically when the client has no name for it', () => {
    const unnamed = { name: 'code-requests', accountName: '' } as unknown as QueueClient;
    const credential = new AppCredential(new StaticTokenCredential(), 1_000, 'Run az login.');
    const queue = new CodeQueue(unnamed, credential, testConfig({ QUEUE_CREATE_IF_NOT_EXISTS: 'false' }));
    expect(queue.target).toBe('queue "code-requests" at the storage account');
  });

  it('creates the queue again when a write finds it missing, warns once, and writes the message', async () => {
    const queue = await createQueue();
    client.exists = false;
    await queue.publish(MESSAGE);
    expect(client.creates).toBe(2);
    expect(client.sent).toHaveLength(1);
    const created = logs.lines.filter((line) => line.startsWith('warn [CodeQueue] Created '));
    expect(created).toEqual([expect.stringContaining(queue.target)]);
  });

  it('passes on a write its deadline cancelled as it is, without marking the queue down', async () => {
    const queue = await createQueue();
    client.hangSends = true;
    await expect(queue.publish(MESSAGE, AbortSignal.timeout(20))).rejects.toThrow('The operation was aborted.');
    expect(queue.status.state).toBe('up'); // as the start-up check left it
    expect(logs.text()).not.toContain('is down');
  });

  it('survives a failed creation at start-up and creates the queue on the first write', async () => {
    client.exists = false;
    client.createFailures = [new RestError('down', { statusCode: 503 })];
    const queue = await createQueue();
    await expect(queue.startup).resolves.toMatchObject({
      code: 'QUEUE_UNAVAILABLE',
      hint: expect.stringMatching(/Request to queue "code-requests".*HTTP 503/) as string,
    });

    await queue.publish(MESSAGE);
    expect(client.creates).toBe(2);
    expect(client.sent).toHaveLength(1);
  });

  it('reports the queue down after a failure, logging what to fix once, and up again after a probe succeeds', async () => {
    client.createFailures = [new RestError('down', { statusCode: 503 }), new RestError('down', { statusCode: 503 })];
    const queue = await createQueue();
    await queue.startup;
    expect(queue.status.state).toBe('down');
    await expect(queue.probe()).rejects.toMatchObject({ code: 'QUEUE_UNAVAILABLE' });
    expect(queue.status.state).toBe('down');
    const down = logs.lines.filter((line) => line.includes('is down'));
    expect(down).toEqual([expect.stringMatching(/^warn \[CodeQueue\] Storage queue "code-requests" .*HTTP 503/)]);

    await queue.probe();
    expect(client.creates).toBe(3);
    expect(queue.status.state).toBe('up');
    expect(logs.text()).toMatch(/Storage queue "code-requests" at devstoreaccount1 is up again/);
  });

  it('forgets a failure on a probe when it may not create the queue, and a write decides', async () => {
    const queue = await createQueue({ createIfNotExists: false });
    client.sendFailures = [new RestError('busy', { statusCode: 503 })];
    await expect(queue.publish(MESSAGE)).rejects.toMatchObject({ code: 'QUEUE_UNAVAILABLE' });
    expect(queue.status.state).toBe('down');
    await queue.probe();
    expect(client.creates).toBe(0);
    expect(queue.status.state).toBe('unknown');
    await queue.publish(MESSAGE);
    expect(queue.status.state).toBe('up');
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
