import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ReferenceApi } from '../../reference-api/main.js';
import type { CodeResponseDto } from '../../src/codes/dto/code-response.dto.js';
import type { ProblemDetails } from '../../src/common/problem-details.filter.js';
import { decodeMessage } from '../../src/queue/code-message.js';
import { Azurite, drainQueue } from '../support/azurite.js';
import { freePort } from '../../scripts/ports.js';
import { type TestApp, startTestApp } from '../support/test-app.js';
import { getCode } from '../support/get-code.js';

const KEY = `e2e-key-${randomBytes(12).toString('hex')}`;

describe('GET /api/v1/getcode when the queue is unreachable', () => {
  let referenceApi: ReferenceApi;
  let target: TestApp;
  let queuePort: number;
  let azurite: Azurite | undefined;

  beforeAll(async () => {
    referenceApi = new ReferenceApi([KEY]);
    const endpoint = await referenceApi.listen();
    queuePort = await freePort(); // nothing listens here until a test starts Azurite on it
    target = await startTestApp(
      { connectionString: Azurite.connectionString(queuePort) },
      { THIRD_PARTY_API_ENDPOINT: endpoint, THIRD_PARTY_API_KEY: KEY },
      { queue: { maxTries: 1 } },
    );
  });

  afterAll(async () => {
    await target?.close();
    await referenceApi.close();
    await azurite?.stop();
  });

  it('answers 503 problem+json with Retry-After and no code, without calling the third party twice', async () => {
    const before = referenceApi.stats.requests;
    const res = await getCode(target.server);

    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.body as ProblemDetails).toMatchObject({ code: 'QUEUE_UNAVAILABLE', status: 503 });
    expect(res.text).not.toMatch(/"code":"[a-zA-Z]{3}-\d+-[a-zA-Z]{3}"/);
    expect(referenceApi.stats.requests - before).toBe(1);
    const errorLine = target.logs.entries().find((entry) => entry.context === 'Errors');
    expect(errorLine).toMatchObject({ level: 'error', reqId: res.headers['x-request-id'] as string });
    expect(errorLine?.msg).toMatch(/503 QUEUE_UNAVAILABLE: Request to queue "e2e-[0-9a-f]+".*ECONNREFUSED/);
  });

  it('keeps serving meanwhile', async () => {
    expect((await request(target.server).get('/')).status).toBe(200);
    expect((await getCode(target.server)).status).toBe(503);
  });

  it('recovers by itself once the queue is back, creating the missing queue', async () => {
    azurite = await Azurite.start({ port: queuePort });
    const res = await getCode(target.server);
    expect(res.status).toBe(200);
    const messages = await drainQueue(target.queue);
    expect(messages.map((text) => decodeMessage(text).code)).toEqual([(res.body as CodeResponseDto).code]);
  });
});
