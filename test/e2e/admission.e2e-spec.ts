import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { ProblemDetails } from '../../src/common/problem-details.filter.js';
import { ScriptedHttpServer } from '../doubles/scripted-http-server.js';
import { Azurite, drainQueue } from '../support/azurite.js';
import { eventually } from '../support/eventually.js';
import { getCode } from '../support/get-code.js';
import { sleep } from '../support/sleep.js';
import { type TestApp, startTestApp } from '../support/test-app.js';

const KEY = `adm-key-${randomBytes(12).toString('hex')}`;
/** The third party takes this long, so the first request is still in flight while the others arrive. */
const UPSTREAM_MS = 300;

/**
 * Admission control through the whole app, with the instance "saturated" by policy (any event-loop load counts as
 * busy, one request in flight at most): what a refused caller gets and what a refusal costs. The open-loop
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
      { admission: { busyUtilization: 0, minLimit: 1 } },
    );
    await sleep(250); // the first ticks set the cap
  });

  afterAll(async () => {
    await target?.close();
    await upstream?.stop();
    await azurite?.stop();
  });

  it('refuses what it cannot admit at once with 503 OVERLOADED and Retry-After, touching no dependency', async () => {
    const callsBefore = upstream.requests.length;
    const first = getCode(target.server).then((res) => res);
    await eventually(() => upstream.requests.length > callsBefore, 5_000);
    const started = performance.now();
    const refused = await Promise.all([getCode(target.server), getCode(target.server), getCode(target.server)]);
    const refusedMs = performance.now() - started;
    expect((await first).status).toBe(200);

    for (const answer of refused) {
      expect(answer.status).toBe(503);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.headers).toMatchObject({ 'retry-after': '1', 'cache-control': 'no-store' });
      expect(answer.headers['x-request-id']).toBeDefined();
      // Not counted against the caller's rate limit: the limiter never saw it.
      expect(answer.headers['ratelimit-policy']).toBeUndefined();
      expect(answer.body as ProblemDetails).toMatchObject({ status: 503, code: 'OVERLOADED' });
    }
    expect(refusedMs).toBeLessThan(UPSTREAM_MS);
    expect(upstream.requests.length).toBe(callsBefore + 1);
    expect(await drainQueue(target.queue)).toHaveLength(1);
  });

  it('logs one warning when shedding starts, no line per refusal, and keeps the health endpoints answering', async () => {
    const calls = upstream.requests.length;
    const first = getCode(target.server).then((res) => res);
    await eventually(() => upstream.requests.length > calls, 5_000);
    const refused = await getCode(target.server);
    const [live, ready] = await Promise.all([
      request(target.server).get('/health/live'),
      request(target.server).get('/health/ready'),
    ]);
    await first;
    await drainQueue(target.queue);
    await eventually(() => target.logs.text().includes('Shedding load'), 5_000);

    expect(refused.status).toBe(503);
    expect([live.status, ready.status]).toEqual([200, 200]);
    const entries = target.logs.entries();
    expect(entries.filter((entry) => entry.msg.startsWith('GET /api/v1/getcode 503'))).toEqual([]);
    expect(entries.filter((entry) => entry.msg.startsWith('Shedding load:'))).toMatchObject([{ level: 'warn' }]);
    expect(target.logs.text()).not.toContain(KEY);
  });
});
