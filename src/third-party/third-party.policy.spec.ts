import { BrokenCircuitError, BulkheadRejectedError, IsolatedCircuitError } from 'cockatiel';
import { FakeSecretSource } from '../../test/doubles/fake-secret-source.js';
import { LogCapture } from '../../test/doubles/log-capture.js';
import { ScriptedHttpServer } from '../../test/doubles/scripted-http-server.js';
import { API_KEY_SECRET, createThirdPartyClient } from '../../test/support/third-party-client.js';
import { policiesWith } from '../config/policies.js';
import type { ThirdPartyClient } from './third-party.client.js';
import { translatePolicyError } from './third-party.policy.js';

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

  it('keeps every delay between attempts within retryMaxDelayMs, however large the base', async () => {
    upstream.answerWith(failure(500));
    await expect((await client({ retryBaseMs: 1_000, retryMaxDelayMs: 5 })).getNumber()).rejects.toBeDefined();
    const delays = logs.lines
      .map((line) => /; attempt \d in (\d+) ms$/.exec(line)?.[1])
      .filter(Boolean)
      .map(Number);
    expect(delays).toHaveLength(3);
    expect(Math.max(...delays)).toBeLessThanOrEqual(5);
  });

  it.each([
    ['a timeout', 'hang' as const, { attemptTimeoutMs: 50 }],
    ['a reset connection', 'reset' as const, {}],
  ])('retries %s', async (_, answer, overrides) => {
    upstream.answerWith(answer, answer, ok);
    await expect((await client(overrides)).getNumber()).resolves.toBe(9);
    expect(upstream.requests).toHaveLength(3);
  });

  const breakerPolicy = { maxRetries: 0, breaker: { threshold: 0.5, minCalls: 4, windowMs: 30_000, openMs: 300 } };
  const failTimes = async (breaker: ThirdPartyClient, times: number) => {
    for (let i = 0; i < times; i++) {
      await breaker.getNumber().catch(() => undefined);
    }
  };

  it('keeps the circuit closed until minCalls calls were counted, and says at what share of failures it opened', async () => {
    const breaker = await client(breakerPolicy);
    upstream.answerWith(failure(500));
    await failTimes(breaker, 3);
    expect(upstream.requests).toHaveLength(3);
    expect(logs.text()).not.toContain('Circuit breaker opened');
    await failTimes(breaker, 3);
    expect(logs.text()).toContain('warn [ThirdPartyClient] Circuit breaker opened: at least 50 % ');
  });

  it.each([
    ['answers without a value', { status: 200, body: '{}' }],
    ['long Retry-Afters', failure(503, { 'retry-after': '20' })],
  ])('counts %s as failures of the third party', async (_, answer) => {
    const breaker = await client({ ...breakerPolicy, retryAfterLimitMs: 1_000 });
    upstream.answerWith(answer);
    await failTimes(breaker, 6);
    await expect(breaker.getNumber()).rejects.toMatchObject({ code: 'THIRD_PARTY_CIRCUIT_OPEN' });
  });

  it('does not count a refused request or a rejected key against the third party', async () => {
    const breaker = await client(breakerPolicy);
    upstream.answerWith(failure(400));
    await failTimes(breaker, 6);
    upstream.answerWith(failure(401));
    await failTimes(breaker, 6);
    upstream.answerWith(ok);
    await expect(breaker.getNumber()).resolves.toBe(9);
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

describe('translatePolicyError', () => {
  const policy = (openMs: number) =>
    policiesWith({ thirdParty: { maxConcurrency: 7, breaker: { openMs } } }).thirdParty;

  it.each([
    [new BrokenCircuitError(), 2_500, 3],
    [new IsolatedCircuitError(), 2_000, 2],
    [new BrokenCircuitError(), 300, 1],
  ])(
    'turns an open circuit (%s) into THIRD_PARTY_CIRCUIT_OPEN, retry after openMs %i in whole seconds',
    (error, openMs, seconds) => {
      expect(translatePolicyError(error, policy(openMs))).toMatchObject({
        code: 'THIRD_PARTY_CIRCUIT_OPEN',
        status: 503,
        retryAfterSeconds: seconds,
        hint: expect.stringContaining(`resume in ${openMs} ms`) as string,
      });
    },
  );

  it('turns a full bulkhead into THIRD_PARTY_BUSY, naming the cap for the operator', () => {
    expect(translatePolicyError(new BulkheadRejectedError(7, 0), policy(300))).toMatchObject({
      code: 'THIRD_PARTY_BUSY',
      hint: expect.stringContaining('7 concurrent') as string,
    });
  });

  it('passes any other error on as it is', () => {
    const error = new Error('other');
    expect(translatePolicyError(error, policy(300))).toBe(error);
  });
});
