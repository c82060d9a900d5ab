import request from 'supertest';
import type { ProblemDetails } from '../../src/common/problem-details.filter.js';
import { LocalStack } from '../support/local-stack.js';
import type { TestApp } from '../support/test-app.js';
import { getCode } from '../support/get-code.js';

describe('rate limiting of /api/v1/getcode', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await LocalStack.start();
  });

  afterAll(() => stack.stop());

  const appWith = (limits: Record<string, string>) => stack.app(limits);

  const getCodeFrom = (app: TestApp, forwardedFor?: string) =>
    getCode(app.server, forwardedFor ? { 'x-forwarded-for': forwardedFor } : {});

  it('limits each client, answering 429 problem+json with Retry-After, without calling the third party', async () => {
    const app = await appWith({ RATE_LIMIT_PER_CLIENT: '3', RATE_LIMIT_GLOBAL: '100' });
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(await getCodeFrom(app));
    }
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(answers.map((answer) => answer.headers['ratelimit-remaining'])).toEqual(['2', '1', '0']);

    const calls = stack.referenceApi.stats.requests;
    const limited = await getCodeFrom(app);
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.headers['ratelimit-reset']).toBe(limited.headers['retry-after']);
    expect(limited.headers).toMatchObject({ 'ratelimit-limit': '3', 'ratelimit-remaining': '0' });
    expect(limited.body as ProblemDetails).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      detail: 'Too many requests from this client; try again later.',
    });
    expect(stack.referenceApi.stats.requests).toBe(calls);
  });

  it('tells every answer the limits, what is left of each and when the window resets', async () => {
    const app = await appWith({ RATE_LIMIT_PER_CLIENT: '5', RATE_LIMIT_GLOBAL: '8', TRUST_PROXY: '1' });
    await getCodeFrom(app, '192.0.2.10');
    await getCodeFrom(app, '192.0.2.10');
    const third = await getCodeFrom(app, '192.0.2.11');
    const reset = Number(third.headers['ratelimit-reset']);
    expect(reset).toBeGreaterThanOrEqual(1);
    expect(reset).toBeLessThanOrEqual(60);
    expect(third.headers).toMatchObject({
      'ratelimit-policy': '"per-client";q=5;w=60, "global";q=8;w=60',
      ratelimit: `"per-client";r=4;t=${reset}, "global";r=5;t=${reset}`,
      'ratelimit-limit': '5',
      'ratelimit-remaining': '4',
    });
    for (const client of ['192.0.2.12', '192.0.2.13']) {
      await getCodeFrom(app, client);
    }
    // 6 of the 8 global requests counted: 2 left, fewer than the new client's 4, so the trio follows the global limit.
    expect((await getCodeFrom(app, '192.0.2.14')).headers).toMatchObject({
      'ratelimit-limit': '8',
      'ratelimit-remaining': '2',
    });
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY says to trust it, so a caller cannot spoof past the limit', async () => {
    const app = await appWith({ RATE_LIMIT_PER_CLIENT: '2', RATE_LIMIT_GLOBAL: '100' });
    const statuses = [];
    for (const spoofed of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4']) {
      statuses.push((await getCodeFrom(app, spoofed)).status);
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  it('behind a trusted proxy, limits by the forwarded client address, whatever its port', async () => {
    const app = await appWith({ RATE_LIMIT_PER_CLIENT: '2', RATE_LIMIT_GLOBAL: '100', TRUST_PROXY: '1' });
    const first = [];
    for (const client of ['203.0.113.7:50001', '203.0.113.7:50002', '203.0.113.7:50003']) {
      first.push((await getCodeFrom(app, client)).status);
    }
    expect(first).toEqual([200, 200, 429]); // one client, three source ports
    expect((await getCodeFrom(app, '203.0.113.8')).status).toBe(200); // another client has its own budget
    expect((await getCodeFrom(app, 'spoofed, 203.0.113.9')).status).toBe(200); // only the proxy's own entry counts
  });

  it('caps the whole instance, whoever the clients are', async () => {
    const app = await appWith({ RATE_LIMIT_PER_CLIENT: '100', RATE_LIMIT_GLOBAL: '3', TRUST_PROXY: '1' });
    const statuses = [];
    for (const client of ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']) {
      statuses.push((await getCodeFrom(app, client)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await getCodeFrom(app, '192.0.2.5');
    expect(limited.body as ProblemDetails).toMatchObject({
      code: 'RATE_LIMITED',
      detail: 'The service is at its request limit for this minute; try again later.',
    });
  });

  it('does not limit health probes, the docs or the home page', async () => {
    const app = await appWith({ RATE_LIMIT_PER_CLIENT: '1', RATE_LIMIT_GLOBAL: '1' });
    await getCodeFrom(app);
    expect((await getCodeFrom(app)).status).toBe(429);
    for (let i = 0; i < 5; i++) {
      expect((await request(app.server).get('/health/live')).status).toBe(200);
      expect((await request(app.server).get('/health/ready')).status).toBe(200);
      expect((await request(app.server).get('/')).status).toBe(200);
    }
    expect((await request(app.server).get('/docs-json')).status).toBe(200);
  });
});
