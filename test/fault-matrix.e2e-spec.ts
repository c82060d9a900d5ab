import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { freePort } from '../scripts/ports.js';
import type { CodeResponseDto } from '../src/codes/dto/code-response.dto.js';
import { decodeMessage } from '../src/queue/code-message.js';
import { type ScriptedAnswer, ScriptedHttpServer } from './doubles/scripted-http-server.js';
import { type AppProcess, buildApp, startLocalAppProcess } from './support/app-process.js';
import { Azurite, drainQueue, sharedQueueClient } from './support/azurite.js';

const KEY = `fm-key-${randomBytes(12).toString('hex')}`;
const OK: ScriptedAnswer = { status: 200, body: '{"value": 21}' };
/** Short policies so the matrix runs in seconds; the shape of each answer is what matters. */
const POLICY = {
  THIRD_PARTY_TIMEOUT_MS: '300',
  THIRD_PARTY_RETRY_BASE_MS: '20',
  THIRD_PARTY_BUDGET_MS: '2500',
  REQUEST_BUDGET_MS: '4000',
  QUEUE_MAX_TRIES: '1',
  RATE_LIMIT_PER_CLIENT: '100000',
  RATE_LIMIT_GLOBAL: '100000',
};

interface Row {
  fault: string;
  status: number;
  code: string;
  ms: number;
  attempts: number;
  recovered: boolean;
}

/**
 * Faults injected around the production build, each followed by recovery:
 * the status and code, the time to answer, the third-party attempts, that a
 * 200 follows once the fault is cleared (without a restart), that every
 * code answered is on the queue, and that the key shows up nowhere.
 */
describe('fault matrix (node dist/main.js)', () => {
  let azurite: Azurite;
  let azuritePort: number;
  let upstream: ScriptedHttpServer;
  let endpoint: string;
  const rows: Row[] = [];
  /** Codes answered with 200, by the queue their app writes to. */
  const answered = new Map<string, string[]>();
  const bodies: string[] = [];
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    buildApp();
    azuritePort = await freePort();
    azurite = await Azurite.start({ port: azuritePort });
    upstream = new ScriptedHttpServer();
    endpoint = await upstream.start();
  }, 120_000);

  /** No 200 without its message: every answered code is on its app's queue (Azurite keeps queues in memory). */
  async function expectEveryCodeQueued(): Promise<void> {
    for (const [queueName, codes] of answered) {
      const messages = await drainQueue(sharedQueueClient(azurite, queueName));
      const queued = new Set(messages.map((text) => decodeMessage(text, 'base64').code));
      expect(codes.filter((code) => !queued.has(code))).toEqual([]);
      answered.delete(queueName);
    }
  }

  afterAll(async () => {
    mkdirSync('test-output', { recursive: true });
    writeFileSync('test-output/fault-matrix.json', `${JSON.stringify(rows, null, 2)}\n`);
    await expectEveryCodeQueued();
    for (const app of apps) {
      expect(app.output).not.toContain(KEY);
      await app.stop('SIGKILL');
    }
    expect(bodies.join('\n')).not.toContain(KEY);
    await upstream.stop();
    await azurite.stop();
  }, 60_000);

  async function startApp(extra: Record<string, string> = {}): Promise<{ base: string; queueName: string }> {
    const local = { connectionString: azurite.connectionString, endpoint, key: KEY };
    const { app, base, queueName } = await startLocalAppProcess(local, { ...POLICY, ...extra });
    apps.push(app);
    answered.set(queueName, []);
    return { base, queueName };
  }

  async function getCode({
    base,
    queueName,
  }: {
    base: string;
    queueName: string;
  }): Promise<{ status: number; code: string; ms: number; attempts: number }> {
    const before = upstream.requests.length;
    const started = Date.now();
    const res = await fetch(`${base}/api/v1/getcode`);
    const text = await res.text();
    bodies.push(text);
    const body = JSON.parse(text) as { code: string };
    if (res.status === 200) {
      answered.get(queueName)?.push((body as CodeResponseDto).code);
    }
    return {
      status: res.status,
      code: body.code,
      ms: Date.now() - started,
      attempts: upstream.requests.length - before,
    };
  }

  async function recovers(base: { base: string; queueName: string }): Promise<boolean> {
    upstream.answerWith(OK);
    return (await getCode(base)).status === 200;
  }

  describe('third-party faults', () => {
    let base: { base: string; queueName: string };
    beforeAll(async () => {
      base = await startApp({ BREAKER_MIN_CALLS: '100000' });
    }, 60_000);

    it.each<[string, number, string, number, ScriptedAnswer]>([
      ['500', 502, 'THIRD_PARTY_ERROR', 4, { status: 500, body: 'oops' }],
      ['503', 502, 'THIRD_PARTY_ERROR', 4, { status: 503 }],
      ['429 with Retry-After: 0', 502, 'THIRD_PARTY_ERROR', 4, { status: 429, headers: { 'retry-after': '0' } }],
      ['400 (not transient)', 502, 'THIRD_PARTY_ERROR', 1, { status: 400 }],
      ['malformed JSON', 502, 'THIRD_PARTY_BAD_RESPONSE', 1, { status: 200, body: '{"value": ' }],
      ['missing value', 502, 'THIRD_PARTY_BAD_RESPONSE', 1, { status: 200, body: '{}' }],
      ['connection reset', 502, 'THIRD_PARTY_UNREACHABLE', 4, 'reset'],
      ['slow answer past the attempt timeout', 504, 'THIRD_PARTY_TIMEOUT', 4, { ...OK, delayMs: 600 }],
      ['hang', 504, 'THIRD_PARTY_TIMEOUT', 4, 'hang'],
    ])(
      '%s -> %i %s after %i attempt(s)',
      async (fault, status, code, attempts, answer) => {
        upstream.answerWith(answer);
        const result = await getCode(base);
        const recovered = await recovers(base);
        rows.push({
          fault,
          status: result.status,
          code: result.code,
          ms: result.ms,
          attempts: result.attempts,
          recovered,
        });
        expect(result).toMatchObject({ status, code });
        expect(result.attempts).toBe(attempts);
        expect(result.ms).toBeLessThan(4_000); // within the request budget
        expect(recovered).toBe(true);
      },
      20_000,
    );
  });

  it('opens the breaker: 503 in under 50 ms without calling the third party, then recovers', async () => {
    const base = await startApp({
      BREAKER_MIN_CALLS: '4',
      BREAKER_THRESHOLD: '0.5',
      BREAKER_OPEN_MS: '500',
      THIRD_PARTY_MAX_RETRIES: '0',
    });
    upstream.answerWith({ status: 500 });
    for (let i = 0; i < 6; i++) {
      await getCode(base);
    }
    const open = await getCode(base);
    expect(open).toMatchObject({ status: 503, code: 'THIRD_PARTY_CIRCUIT_OPEN', attempts: 0 });
    expect(open.ms).toBeLessThan(50);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const recovered = await recovers(base);
    rows.push({
      fault: 'breaker open',
      status: open.status,
      code: open.code,
      ms: open.ms,
      attempts: open.attempts,
      recovered,
    });
    expect(recovered).toBe(true);
  }, 60_000);

  it('queue down -> 503 QUEUE_UNAVAILABLE after one third-party call, then recovers', async () => {
    const base = await startApp({ BREAKER_MIN_CALLS: '100000' });
    await expectEveryCodeQueued(); // before this in-memory Azurite goes away
    upstream.answerWith(OK);
    await azurite.stop();
    const down = await getCode(base);
    azurite = await Azurite.start({ port: azuritePort });
    const recovered = await recovers(base);
    rows.push({
      fault: 'queue down',
      status: down.status,
      code: down.code,
      ms: down.ms,
      attempts: down.attempts,
      recovered,
    });
    expect(down).toMatchObject({ status: 503, code: 'QUEUE_UNAVAILABLE', attempts: 1 });
    expect(recovered).toBe(true);
  }, 60_000);
});
