import { jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { FakeQueueClient } from '../../test/doubles/fake-queue-client.js';
import { StaticTokenCredential } from '../../test/doubles/static-credential.js';
import { testConfig } from '../../test/support/test-config.js';
import { AppCredential } from '../azure/app-credential.js';
import { AppConfig } from '../config/app-config.js';
import { decodeMessage } from '../queue/code-message.js';
import { CodeQueue, QUEUE_CLIENT } from '../queue/code-queue.service.js';
import { QueueUnavailableError } from '../queue/queue.errors.js';
import { ThirdPartyClient } from '../third-party/third-party.client.js';
import { ThirdPartyStatusError } from '../third-party/third-party.errors.js';
import { CODE_PATTERN } from './code-format.js';
import { CodesService } from './codes.service.js';

/** Stands in for the third-party client: answers from a list and counts calls. */
class StubNumbers {
  calls = 0;
  constructor(private readonly answers: (number | Error | 'hang')[]) {}
  getNumber(deadline: AbortSignal): Promise<number> {
    const answer = this.answers[Math.min(this.calls++, this.answers.length - 1)];
    if (answer === 'hang') {
      return new Promise((_, reject) => deadline.addEventListener('abort', () => reject(new Error('aborted'))));
    }
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer ?? 0);
  }
}

describe('CodesService', () => {
  let queueClient: FakeQueueClient;

  async function createService(numbers: StubNumbers): Promise<CodesService> {
    const moduleRef = await Test.createTestingModule({
      providers: [
        CodesService,
        CodeQueue,
        { provide: ThirdPartyClient, useValue: numbers },
        { provide: QUEUE_CLIENT, useValue: queueClient.asQueueClient() },
        { provide: AppCredential, useValue: new AppCredential(new StaticTokenCredential(), 1_000, 'fix') },
        { provide: AppConfig, useValue: testConfig({ REQUEST_BUDGET_MS: '200', QUEUE_CREATE_IF_NOT_EXISTS: 'false' }) },
      ],
    }).compile();
    return moduleRef.get(CodesService);
  }

  beforeEach(() => {
    queueClient = new FakeQueueClient();
  });

  it('builds a code around the third-party number and records it on the queue before answering', async () => {
    const codes = await createService(new StubNumbers([417]));
    const before = Date.now();
    const answer = await codes.issue('req-7');

    expect(answer.code).toMatch(CODE_PATTERN);
    expect(answer.code.split('-')[1]).toBe('417');
    expect(Date.parse(answer.timestamp)).toBeGreaterThanOrEqual(before);
    expect(answer.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(queueClient.sent.map((m) => decodeMessage(m.text))).toEqual([{ ...answer, requestId: 'req-7' }]);
  });

  it('hands out no code when the queue refuses the message', async () => {
    const numbers = new StubNumbers([5]);
    const codes = await createService(numbers);
    queueClient.sendFailures = [new QueueUnavailableError('down')];
    await expect(codes.issue('req-8')).rejects.toBeInstanceOf(QueueUnavailableError);
    expect(queueClient.sent).toHaveLength(0);
    expect(numbers.calls).toBe(1);
  });

  it('writes nothing to the queue when the third party fails', async () => {
    const codes = await createService(new StubNumbers([new ThirdPartyStatusError('upstream failed', 'HTTP 500', 500)]));
    await expect(codes.issue('req-9')).rejects.toMatchObject({ code: 'THIRD_PARTY_ERROR' });
    expect(queueClient.sent).toHaveLength(0);
  });

  it('issues a different code each time', async () => {
    const codes = await createService(new StubNumbers([1]));
    const issued = await Promise.all(Array.from({ length: 50 }, (_, i) => codes.issue(`r${i}`)));
    expect(new Set(issued.map((a) => a.code)).size).toBe(50);
    expect(queueClient.sent).toHaveLength(50);
  });

  it('leaves no budget timer pending once a request ends, answered or failed', async () => {
    const codes = await createService(
      new StubNumbers([7, new ThirdPartyStatusError('upstream failed', 'HTTP 500', 500)]),
    );
    jest.useFakeTimers();
    try {
      await codes.issue('req-12');
      await expect(codes.issue('req-13')).rejects.toMatchObject({ code: 'THIRD_PARTY_ERROR' });
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('lets a request run for REQUEST_BUDGET_MS before cancelling it', async () => {
    const codes = await createService(new StubNumbers(['hang']));
    jest.useFakeTimers();
    try {
      let outcome: unknown;
      const issued = codes.issue('req-14').catch((error: unknown) => (outcome = error));
      await jest.advanceTimersByTimeAsync(199);
      expect(outcome).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);
      await issued;
      expect(outcome).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    } finally {
      jest.useRealTimers();
    }
  });

  it('cancels a queue write that outlives the request budget and answers 504 REQUEST_TIMEOUT', async () => {
    const codes = await createService(new StubNumbers([3]));
    queueClient.hangSends = true;
    await expect(codes.issue('req-10')).rejects.toMatchObject({
      code: 'REQUEST_TIMEOUT',
      status: 504,
      hint: expect.stringContaining('during the queue write') as string,
    });
    expect(queueClient.sent).toHaveLength(0);
  });

  it('cancels a third-party call that outlives the request budget, and writes nothing', async () => {
    const codes = await createService(new StubNumbers(['hang']));
    await expect(codes.issue('req-11')).rejects.toMatchObject({
      code: 'REQUEST_TIMEOUT',
      hint: expect.stringContaining('during the third-party call') as string,
    });
    expect(queueClient.sent).toHaveLength(0);
  });
});
