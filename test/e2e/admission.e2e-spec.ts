import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { type Span, trace } from '@opentelemetry/api';
import request, { type Response } from 'supertest';
import type { ProblemDetails } from '../../src/common/problem-details.filter.js';
import { ScriptedHttpServer } from '../doubles/scripted-http-server.js';
import { Azurite, drainQueue } from '../support/azurite.js';
import { eventually } from '../support/eventually.js';
import { getCode } from '../support/get-code.js';
import { sleep } from '../support/sleep.js';
import { type TestApp, startTestApp } from '../support/test-app.js';

const KEY = `adm-key-${randomBytes(12).toString('hex')}`;
/** The third party takes this long: requests stay in flight, nothing is answered, a backlog by any measure. */
const UPSTREAM_MS = 1_500;

/**
 * Admission control through the whole app, with any event-loop load counting as busy (policy), so that requests
 * waiting on a slow third party are a backlog: what a refused caller gets and what a refusal costs. The open-loop
 * overload of the production build is test/black-box/overload.e2e-spec.ts.
 */
describe('admission control of GET /api/v1/getcode', () => {
  let azurite: Azurite;
  let upstream: ScriptedHttpServer;
  let target: TestApp;

  beforeAll(async () => {
    azurite = await Azurite.start();
    upstream = new ScriptedHttpServer().answerWith({ status: 200, body: '{"value": 5}', delayMs: UPSTREAM_MS });
    const endpoint = await upstream.start();
    target = await startTestApp(
      azurite,
      { THIRD_PARTY_API_ENDPOINT: endpoint, THIRD_PARTY_API_KEY: KEY, RATE_LIMIT_PER_CLIENT: '1000' },
      { admission: { busyUtilization: 0, warmUpMs: 0 } },
    );
  });

  afterAll(async () => {
    await target?.close();
    await upstream?.stop();
    await azurite?.stop();
  });

  /** Sends requests one after another until one is refused; resolves with every answer, refused one last. */
  async function untilRefused(): Promise<Promise<Response>[]> {
    const sent: Promise<Response>[] = [];
    await eventually(async () => {
      const answer = getCode(target.server).then((res) => res);
      sent.push(answer);
      const first = await Promise.race([answer, sleep(100).then(() => undefined)]);
      return first?.status === 503;
    }, 10_000);
    return sent;
  }

  it('refuses with 503 OVERLOADED and Retry-After at once, touching no dependency', async () => {
    const callsBefore = upstream.requests.length;
    const sent = await untilRefused();
    const timed = async () => {
      const started = performance.now();
      const res = await getCode(target.server);
      return { res, ms: performance.now() - started };
    };
    const burst = await Promise.all(Array.from({ length: 5 }, timed));
    const answers = [...(await Promise.all(sent)), ...burst.map(({ res }) => res)];

    const refused = answers.filter((answer) => answer.status === 503);
    const served = answers.filter((answer) => answer.status === 200);
    expect(refused.length + served.length).toBe(answers.length);
    const burstRefused = burst.filter(({ res }) => res.status === 503);
    expect(burstRefused.length).toBeGreaterThanOrEqual(3);
    // At once: none of them waited for the third party.
    expect(Math.max(...burstRefused.map(({ ms }) => ms))).toBeLessThan(UPSTREAM_MS);
    for (const answer of refused) {
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.headers).toMatchObject({ 'retry-after': '1', 'cache-control': 'no-store' });
      expect(answer.headers['x-request-id']).toBeDefined();
      // Answered before Express, with the security headers every answer has.
      expect(answer.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN' });
      // Not counted against the caller's rate limit: the limiter never saw it.
      expect(answer.headers['ratelimit-policy']).toBeUndefined();
      expect(answer.body as ProblemDetails).toMatchObject({
        status: 503,
        code: 'OVERLOADED',
        instance: '/api/v1/getcode',
        requestId: answer.headers['x-request-id'],
      });
    }
    // Only the admitted reached the third party and the queue.
    expect(upstream.requests.length - callsBefore).toBe(served.length);
    expect(await drainQueue(target.queue)).toHaveLength(served.length);
  });

  it('guards the route however Express would route it: any case, a trailing slash, a query string', async () => {
    const sent = await untilRefused();
    const spellings = ['/API/V1/GETCODE', '/api/v1/getcode/', '/api/v1/getcode?n=1'];
    const answers = await Promise.all(
      spellings.flatMap((path) => Array.from({ length: 3 }, () => request(target.server).get(path))),
    );
    await Promise.all(sent);
    await drainQueue(target.queue);

    // Each spelling reaches the controller when admitted, and is refused like the plain path when not.
    for (const [i, path] of spellings.entries()) {
      const statuses = answers.slice(3 * i, 3 * i + 3).map((answer) => answer.status);
      expect({ path, statuses }).toEqual({ path, statuses: expect.arrayContaining([503]) as number[] });
      expect(statuses.every((status) => status === 503 || status === 200)).toBe(true);
    }
  });

  it('puts OVERLOADED on the request span of a refusal, as the dashboard and the shedding alert count them', async () => {
    const sent = await untilRefused();
    const codes: unknown[] = [];
    const span = { setAttribute: (key: string, value: unknown) => codes.push(`${key}=${String(value)}`) };
    const activeSpan = jest.spyOn(trace, 'getActiveSpan').mockReturnValue(span as unknown as Span);
    try {
      const refused = (await Promise.all([getCode(target.server), getCode(target.server)])).filter(
        (answer) => answer.status === 503,
      );
      expect(refused.length).toBeGreaterThan(0);
      expect(codes.filter((code) => code === 'problem.code=OVERLOADED')).toHaveLength(refused.length);
    } finally {
      activeSpan.mockRestore();
    }
    await Promise.all(sent);
    await drainQueue(target.queue);
  });

  it('logs one warning when shedding starts, no line per refusal, and keeps the health endpoints answering', async () => {
    const sent = await untilRefused();
    const [live, ready] = await Promise.all([
      request(target.server).get('/health/live'),
      request(target.server).get('/health/ready'),
    ]);
    await Promise.all(sent);
    await drainQueue(target.queue);
    await eventually(() => target.logs.text().includes('Shedding load'), 5_000);

    expect([live.status, ready.status]).toEqual([200, 200]);
    const entries = target.logs.entries();
    expect(entries.filter((entry) => entry.msg.startsWith('GET /api/v1/getcode 503'))).toEqual([]);
    expect(entries.filter((entry) => entry.msg.startsWith('Shedding load:'))).toMatchObject([{ level: 'warn' }]);
    expect(target.logs.text()).not.toContain(KEY);
  });
});
