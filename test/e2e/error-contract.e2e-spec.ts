import { randomBytes } from 'node:crypto';
import { freePort } from '../../scripts/ports.js';
import type { ProblemDetails } from '../../src/common/problem-details.filter.js';
import { ScriptedHttpServer, type ScriptedAnswer } from '../doubles/scripted-http-server.js';
import { Azurite, drainQueue } from '../support/azurite.js';
import { type TestApp, startTestApp } from '../support/test-app.js';
import { getCode } from '../support/get-code.js';

const KEY = `ec-key-${randomBytes(12).toString('hex')}`;

/**
 * Every way the third party can fail, through the whole app: the status, the
 * problem+json code, nothing on the queue, and no key or internal detail in
 * the answer.
 */
describe('the error contract of GET /api/v1/getcode', () => {
  let azurite: Azurite;
  let upstream: ScriptedHttpServer;
  let upstreamUrl: string;
  let target: TestApp;

  beforeAll(async () => {
    azurite = await Azurite.start();
    upstream = new ScriptedHttpServer();
    target = await startTestApp(
      azurite,
      { THIRD_PARTY_API_ENDPOINT: (upstreamUrl = await upstream.start()), THIRD_PARTY_API_KEY: KEY },
      // One attempt per request and a breaker that stays closed: this file is about the mapping of each failure.
      {
        thirdParty: {
          // Long enough for a loaded machine; only the 'hang' case waits it out.
          attemptTimeoutMs: 1_000,
          maxRetries: 0,
          breaker: { minCalls: 1000 },
        },
      },
    );
  });

  afterAll(async () => {
    await target?.close();
    await upstream?.stop();
    await azurite?.stop();
  });

  it.each<[string, number, string, ScriptedAnswer]>([
    ['a 500', 502, 'THIRD_PARTY_ERROR', { status: 500, body: 'stack trace at Upstream.handler' }],
    ['a 404', 502, 'THIRD_PARTY_ERROR', { status: 404 }],
    ['a body without value', 502, 'THIRD_PARTY_BAD_RESPONSE', { status: 200, body: '{"number": 4}' }],
    ['a non-integer value', 502, 'THIRD_PARTY_BAD_RESPONSE', { status: 200, body: '{"value": "4"}' }],
    ['malformed JSON', 502, 'THIRD_PARTY_BAD_RESPONSE', { status: 200, body: '{"value": ' }],
    ['a rejected key', 502, 'THIRD_PARTY_KEY_REJECTED', { status: 403 }],
    ['no answer in time', 504, 'THIRD_PARTY_TIMEOUT', 'hang'],
  ])('maps %s to %i %s', async (_case, status, code, answer) => {
    upstream.answerWith(answer);
    const res = await getCode(target.server);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.body as ProblemDetails;
    expect(body).toMatchObject({
      status,
      code,
      instance: '/api/v1/getcode',
      requestId: res.headers['x-request-id'] as string,
    });
    expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type']);
    expect(res.text).not.toMatch(new RegExp(`${KEY}|stack|Upstream|127\\.0\\.0\\.1`));
    expect(await drainQueue(target.queue)).toEqual([]);
  });

  it('answers 504 REQUEST_TIMEOUT when the request budget runs out first, and records nothing', async () => {
    const app = await startTestApp(
      azurite,
      { THIRD_PARTY_API_ENDPOINT: upstreamUrl, THIRD_PARTY_API_KEY: KEY, REQUEST_BUDGET_MS: '1000' },
      // The smallest budget a queue write fits in: one try with the service's shortest timeout (1 s).
      { queue: { maxTries: 1, tryTimeoutMs: 1000 } },
    );
    try {
      upstream.answerWith({ status: 200, body: '{"value": 1}', delayMs: 3_000 });
      const started = Date.now();
      const res = await getCode(app.server);
      expect(res.status).toBe(504);
      expect(res.body as ProblemDetails).toMatchObject({ code: 'REQUEST_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(await drainQueue(app.queue)).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('maps an unreachable third party to 502 THIRD_PARTY_UNREACHABLE', async () => {
    const closed = await freePort();
    const app = await startTestApp(
      azurite,
      { THIRD_PARTY_API_ENDPOINT: `http://127.0.0.1:${closed}/api/RandomNumber`, THIRD_PARTY_API_KEY: KEY },
      { thirdParty: { maxRetries: 0 } },
    );
    try {
      const res = await getCode(app.server);
      expect(res.status).toBe(502);
      expect(res.body as ProblemDetails).toMatchObject({ code: 'THIRD_PARTY_UNREACHABLE' });
    } finally {
      await app.close();
    }
  });
});
