import { FakeSecretSource } from '../../test/doubles/fake-secret-source.js';
import { LogCapture } from '../../test/doubles/log-capture.js';
import { ScriptedHttpServer } from '../../test/doubles/scripted-http-server.js';
import { API_KEY_SECRET, createThirdPartyClient } from '../../test/support/third-party-client.js';
import type { ThirdPartyClient } from './third-party.client.js';

const ok = { status: 200, body: '{"value": 9}' };
const failure = (status: number, headers?: Record<string, string>) => ({ status, body: '{}', headers });

describe('the third-party resilience pipeline', () => {
  let upstream: ScriptedHttpServer;
  let endpoint: string;
  let logs: LogCapture;

  beforeEach(async () => {
    logs = new LogCapture();
    upstream = new ScriptedHttpServer();
    endpoint = await upstream.start();
  });

  afterEach(() => upstream.stop());

  const client = (overrides: Parameters<typeof createThirdPartyClient>[3]): Promise<ThirdPartyClient> =>
    createThirdPartyClient(endpoint, new FakeSecretSource().set(API_KEY_SECRET, 'key-123456789'), logs, {
      maxRetries: 3,
      retryBaseMs: 10,
      ...overrides,
    });

  it.each([408, 429, 500, 502, 503, 504])(
    'retries a %i and returns the value once the third party recovers',
    async (status) => {
      upstream.answerWith(failure(status), failure(status), ok);
      await expect((await client({})).getNumber()).resolves.toBe(9);
      expect(upstream.requests).toHaveLength(3);
    },
  );

  it('makes at most 1 + maxRetries attempts', async () => {
    upstream.answerWith(failure(500));
    await expect((await client({})).getNumber()).rejects.toMatchObject({ code: 'THIRD_PARTY_ERROR', status: 502 });
    expect(upstream.requests).toHaveLength(4);
    const retries = logs.lines.filter((line) => line.startsWith('warn [ThirdPartyClient] Third-party attempt'));
    expect(retries).toEqual([
      expect.stringMatching(/attempt 1 failed \(Third-party API .* answered HTTP 500.*\); attempt 2 in \d+ ms$/),
      expect.stringMatching(/attempt 2 failed .*; attempt 3 in \d+ ms$/),
      expect.stringMatching(/attempt 3 failed .*; attempt 4 in \d+ ms$/),
    ]);
    expect(logs.text()).not.toContain('key-123456789');
  });

  it.each([400, 404, 422])('does not retry a %i', async (status) => {
    upstream.answerWith(failure(status), ok);
    await expect((await client({})).getNumber()).rejects.toMatchObject({ code: 'THIRD_PARTY_ERROR' });
    expect(upstream.requests).toHaveLength(1);
  });

  it('does not retry an answer without an integer value', async () => {
    upstream.answerWith({ status: 200, body: '{}' }, ok);
    await expect((await client({})).getNumber()).rejects.toMatchObject({ code: 'THIRD_PARTY_BAD_RESPONSE' });
    expect(upstream.requests).toHaveLength(1);
  });

  it('waits at least as long as a short Retry-After asks before the next attempt', async () => {
    upstream.answerWith(failure(429, { 'retry-after': '0.3' }), ok);
    await expect((await client({ retryAfterLimitMs: 1_000 })).getNumber()).resolves.toBe(9);
    const retry = logs.lines.find((line) => line.includes('Third-party attempt 1 failed'));
    expect(Number(/attempt 2 in (\d+) ms$/.exec(retry ?? '')?.[1])).toBeGreaterThanOrEqual(300);
  });

  it('passes a long Retry-After on to the caller at once, without waiting or retrying', async () => {
    upstream.answerWith(failure(503, { 'retry-after': '20' }), ok);
    await expect((await client({ retryAfterLimitMs: 1_000 })).getNumber()).rejects.toMatchObject({
      code: 'THIRD_PARTY_THROTTLED',
      status: 503,
      retryAfterSeconds: 20,
    });
    expect(upstream.requests).toHaveLength(1);
  });

  it('stops at the deadline, retries included, and cancels the attempt under way', async () => {
    upstream.answerWith('hang');
    const deadline = AbortSignal.timeout(400);
    await expect((await client({ attemptTimeoutMs: 150 })).getNumber(deadline)).rejects.toBeDefined();
    expect(deadline.aborted).toBe(true);
    expect(upstream.requests.length).toBeLessThanOrEqual(3);
  });

  it('opens the circuit after enough failures, refuses fast without calling, and closes again', async () => {
    const breaker = await client({
      maxRetries: 0,
      breaker: { threshold: 0.5, minCalls: 4, windowMs: 30_000, openMs: 300 },
    });
    upstream.answerWith(failure(500));
    for (let i = 0; i < 6; i++) {
      await breaker.getNumber().catch(() => undefined);
    }
    const calls = upstream.requests.length;
    await expect(breaker.getNumber()).rejects.toMatchObject({
      code: 'THIRD_PARTY_CIRCUIT_OPEN',
      status: 503,
      retryAfterSeconds: 1,
    });
    expect(upstream.requests).toHaveLength(calls);

    upstream.answerWith(ok);
    await new Promise((resolve) => setTimeout(resolve, 350));
    await expect(breaker.getNumber()).resolves.toBe(9);
    expect(logs.text()).toMatch(/warn \[ThirdPartyClient\] Circuit breaker opened: .* refused for 300 ms/);
    expect(logs.text()).toMatch(/log \[ThirdPartyClient\] Circuit breaker closed/);
  });

  it('caps concurrent calls with a bulkhead and no queue', async () => {
    const capped = await client({ maxConcurrency: 1 });
    upstream.answerWith({ ...ok, delayMs: 300 });
    const [first, second] = await Promise.allSettled([capped.getNumber(), capped.getNumber()]);
    expect(first).toEqual({ status: 'fulfilled', value: 9 });
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'THIRD_PARTY_BUSY', status: 503 } });
    expect(upstream.requests).toHaveLength(1);
  });
});
