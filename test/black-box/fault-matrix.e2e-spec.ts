import { randomBytes } from 'node:crypto';
import { freePort } from '../../scripts/ports.js';
import { decodeMessage } from '../../src/queue/code-message.js';
import { type ScriptedAnswer, ScriptedHttpServer } from '../doubles/scripted-http-server.js';
import { type TcpFault, TcpFaultProxy } from '../doubles/tcp-fault-proxy.js';
import { startLocalAppProcess } from '../support/app-process.js';
import { Azurite, drainQueue, sharedQueueClient } from '../support/azurite.js';
import { FaultMatrix, type MatrixApp } from '../support/fault-matrix.js';
import { sleep } from '../support/sleep.js';

const KEY = `fm-key-${randomBytes(12).toString('hex')}`;
const OK: ScriptedAnswer = { status: 200, body: '{"value": 21}' };
const BUDGET_MS = 4_000;
/** Short policies so the matrix runs in seconds; the shape of each answer is what matters. */
const POLICIES = {
  thirdParty: { attemptTimeoutMs: 300, retryBaseMs: 20, retryMaxDelayMs: 100 },
  queue: { maxTries: 3, tryTimeoutMs: 1000, retryDelayMs: 20 },
};
const ENV = { REQUEST_BUDGET_MS: String(BUDGET_MS), RATE_LIMIT_PER_CLIENT: '100000', RATE_LIMIT_GLOBAL: '100000' };
const NO_BREAKER = { breaker: { minCalls: 100_000 } };

/**
 * Faults injected around the production build on the local stack, each
 * followed by recovery: the status and code, the time to answer, the
 * third-party attempts, that a 200 follows once the fault is cleared (without
 * a restart), that every code answered is on the queue, and that the key
 * shows up nowhere. The third party and Azurite are reached through TCP fault
 * proxies (refused, stalled, slow links).
 */
describe('fault matrix: third party and queue (node dist/main.js)', () => {
  let azurite: Azurite;
  let azuritePort: number;
  let upstream: ScriptedHttpServer;
  let thirdPartyLink: TcpFaultProxy;
  let queueLink: TcpFaultProxy;
  let endpoint: string;
  let connectionString: string;
  // Azurite keeps queues in memory: what it held is read back before it is stopped (queue down).
  const matrix = new FaultMatrix(
    () => upstream.requests.length,
    async (queueName) =>
      (await drainQueue(sharedQueueClient(azurite, queueName))).map((text) => decodeMessage(text).code),
  );

  beforeAll(async () => {
    azuritePort = await freePort();
    azurite = await Azurite.start({ port: azuritePort });
    queueLink = new TcpFaultProxy(azuritePort);
    connectionString = Azurite.connectionString(await queueLink.start());
    upstream = new ScriptedHttpServer();
    const direct = new URL(await upstream.start());
    thirdPartyLink = new TcpFaultProxy(Number(direct.port));
    direct.port = String(await thirdPartyLink.start());
    endpoint = direct.href;
  }, 120_000);

  afterAll(async () => {
    try {
      await matrix.finish('fault-matrix', KEY);
    } finally {
      await Promise.all([upstream?.stop(), thirdPartyLink?.stop(), queueLink?.stop()]);
      await azurite?.stop();
    }
  }, 60_000);

  async function startApp(thirdParty: object = {}): Promise<MatrixApp> {
    const local = { connectionString, endpoint, key: KEY };
    const policies = { ...POLICIES, thirdParty: { ...POLICIES.thirdParty, ...thirdParty } };
    const env = { ...ENV, TEST_POLICY_OVERRIDES: JSON.stringify(policies) };
    const { app, base, queueName } = await startLocalAppProcess(local, env);
    return matrix.track({ app, base, queueName });
  }

  /** Clears the third-party fault; whether a new request then gets a code that is on the queue. */
  async function recovers(target: MatrixApp): Promise<boolean> {
    upstream.answerWith(OK);
    return matrix.recovers(target);
  }

  /** One request while `link` has `fault`, then recovery once it passes traffic again; records the row. */
  async function throughLinkFault(target: MatrixApp, link: TcpFaultProxy, fault: TcpFault, name: string) {
    await link.inject(fault);
    const result = await matrix.getCode(target);
    await link.inject('pass');
    const recovered = await recovers(target);
    matrix.record(name, result, recovered);
    return { result, recovered };
  }

  describe('third-party faults', () => {
    let target: MatrixApp;
    beforeAll(async () => {
      target = await startApp(NO_BREAKER);
    }, 60_000);

    it.each<[string, number, string, number, ScriptedAnswer]>([
      ['500', 502, 'THIRD_PARTY_ERROR', 5, { status: 500, body: 'oops' }],
      ['503', 502, 'THIRD_PARTY_ERROR', 5, { status: 503 }],
      ['429 with Retry-After: 0', 502, 'THIRD_PARTY_ERROR', 5, { status: 429, headers: { 'retry-after': '0' } }],
      ['400 (not transient)', 502, 'THIRD_PARTY_ERROR', 1, { status: 400 }],
      ['malformed JSON', 502, 'THIRD_PARTY_BAD_RESPONSE', 1, { status: 200, body: '{"value": ' }],
      ['missing value', 502, 'THIRD_PARTY_BAD_RESPONSE', 1, { status: 200, body: '{}' }],
      ['connection reset', 502, 'THIRD_PARTY_UNREACHABLE', 5, 'reset'],
      ['slow answer past the attempt timeout', 504, 'THIRD_PARTY_TIMEOUT', 5, { ...OK, delayMs: 600 }],
      ['hang', 504, 'THIRD_PARTY_TIMEOUT', 5, 'hang'],
    ])(
      '%s -> %i %s after %i attempt(s)',
      async (fault, status, code, attempts, answer) => {
        upstream.answerWith(answer);
        const result = await matrix.getCode(target);
        const recovered = await recovers(target);
        matrix.record(fault, result, recovered);
        expect(result).toMatchObject({ status, code, attempts });
        expect(result.ms).toBeLessThan(BUDGET_MS);
        expect(recovered).toBe(true);
      },
      20_000,
    );

    it('429 with a short Retry-After -> waits it out, 200 on the second attempt', async () => {
      upstream.answerWith({ status: 429, headers: { 'retry-after': '1' } }, OK);
      const result = await matrix.getCode(target);
      const recovered = await recovers(target);
      matrix.record('429 with Retry-After: 1, then 200', result, recovered);
      expect(result).toMatchObject({ status: 200, attempts: 2 });
      expect(result.ms).toBeGreaterThanOrEqual(950);
      expect(recovered).toBe(true);
    }, 20_000);

    it.each(['5', '20'])(
      '429 with Retry-After: %s -> 503 THIRD_PARTY_THROTTLED at once, with the Retry-After, one attempt',
      async (seconds) => {
        upstream.answerWith({ status: 429, headers: { 'retry-after': seconds } });
        const result = await matrix.getCode(target);
        const recovered = await recovers(target);
        matrix.record(`429 with Retry-After: ${seconds}`, result, recovered);
        expect(result).toMatchObject({ status: 503, code: 'THIRD_PARTY_THROTTLED', attempts: 1, retryAfter: seconds });
        expect(result.ms).toBeLessThan(1_000); // did not wait what it asked for
        expect(recovered).toBe(true);
      },
      20_000,
    );

    it('connection refused -> 502 THIRD_PARTY_UNREACHABLE after 5 attempts, then recovers', async () => {
      await thirdPartyLink.inject('refuse');
      const logged = target.app.output.length;
      const result = await matrix.getCode(target);
      // Refused connections never reach the third party: count the attempts the app logged instead.
      const retries = target.app.output.slice(logged).match(/Third-party attempt \d+ failed/g) ?? [];
      await thirdPartyLink.inject('pass');
      const recovered = await recovers(target);
      matrix.record('connection refused', { ...result, attempts: retries.length + 1 }, recovered);
      expect(result).toMatchObject({ status: 502, code: 'THIRD_PARTY_UNREACHABLE', attempts: 0 });
      expect(retries).toHaveLength(4);
      expect(result.ms).toBeLessThan(BUDGET_MS);
      expect(recovered).toBe(true);
    }, 20_000);

    it('body stalls after the headers -> 504 THIRD_PARTY_TIMEOUT after 5 attempts, then recovers', async () => {
      upstream.answerWith(OK);
      const { result, recovered } = await throughLinkFault(
        target,
        thirdPartyLink,
        'stall-body',
        'body stalls after the headers',
      );
      expect(result).toMatchObject({ status: 504, code: 'THIRD_PARTY_TIMEOUT', attempts: 5 });
      expect(result.ms).toBeLessThan(BUDGET_MS);
      expect(recovered).toBe(true);
    }, 20_000);
  });

  it('opens the breaker: 503 in under 50 ms without calling the third party, then recovers', async () => {
    const target = await startApp({ maxRetries: 0, breaker: { minCalls: 4, threshold: 0.5, openMs: 500 } });
    upstream.answerWith({ status: 500 });
    for (let i = 0; i < 6; i++) {
      await matrix.getCode(target);
    }
    const open = await matrix.getCode(target);
    expect(open).toMatchObject({ status: 503, code: 'THIRD_PARTY_CIRCUIT_OPEN', attempts: 0 });
    expect(open.ms).toBeLessThan(50);
    await sleep(600);
    const recovered = await recovers(target);
    matrix.record('breaker open', open, recovered);
    expect(recovered).toBe(true);
    expect(target.app.output).toMatch(/Circuit breaker opened/);
  }, 60_000);

  describe('queue faults', () => {
    let target: MatrixApp;
    beforeAll(async () => {
      target = await startApp(NO_BREAKER);
      upstream.answerWith(OK);
    }, 60_000);

    it('slow link (150 ms each way) -> 200, slower, the code on the queue', async () => {
      const { result, recovered } = await throughLinkFault(
        target,
        queueLink,
        { delayMs: 150 },
        'queue slow (150 ms link delay)',
      );
      expect(result).toMatchObject({ status: 200, attempts: 1 });
      expect(result.ms).toBeGreaterThanOrEqual(300); // at least one round trip over the slow link
      expect(recovered).toBe(true);
    }, 20_000);

    it('stalled link -> 504 REQUEST_TIMEOUT when the budget runs out, one third-party call, then recovers', async () => {
      const { result, recovered } = await throughLinkFault(target, queueLink, 'hang', 'queue stalls (no answer)');
      expect(result).toMatchObject({ status: 504, code: 'REQUEST_TIMEOUT', attempts: 1 });
      expect(result.ms).toBeGreaterThanOrEqual(BUDGET_MS - 100);
      expect(result.ms).toBeLessThan(BUDGET_MS + 1_000);
      expect(recovered).toBe(true);
    }, 20_000);

    it('queue down (Azurite stopped) -> 503 QUEUE_UNAVAILABLE after one third-party call, then recovers', async () => {
      await matrix.expectEveryCodeQueued(); // before this in-memory Azurite goes away
      await azurite.stop();
      const down = await matrix.getCode(target);
      azurite = await Azurite.start({ port: azuritePort });
      const recovered = await recovers(target);
      matrix.record('queue down', down, recovered);
      expect(down).toMatchObject({ status: 503, code: 'QUEUE_UNAVAILABLE', attempts: 1 });
      expect(down.ms).toBeLessThan(BUDGET_MS);
      expect(recovered).toBe(true);
    }, 60_000);
  });
});
