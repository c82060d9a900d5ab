import { decodeMessage } from '../../src/queue/code-message.js';
import { type AppProcess, startAppProcess } from '../support/app-process.js';
import { drainQueue, uniqueQueueName } from '../support/azurite.js';
import { eventually } from '../support/eventually.js';
import { FaultMatrix, type MatrixApp } from '../support/fault-matrix.js';
import { findLogLine, logEntries } from '../support/log-lines.js';
import { ProductionStack } from '../support/production-stack.js';
import { sleep } from '../support/sleep.js';

/** Short refresh timings so a stale key is refreshed (and a failed refresh retried) within seconds. */
const POLICIES = {
  // The read timeout is longer than the SDK's own retries of a 503 (at most 5.6 s of delays).
  secrets: { cacheTtlMs: 1000, refreshBackoffMs: 1000, readTimeoutMs: 8000 },
  tokenTimeoutMs: 3000,
};
const POLICY = {
  TEST_POLICY_OVERRIDES: JSON.stringify(POLICIES),
  REQUEST_BUDGET_MS: '16000',
  RATE_LIMIT_PER_CLIENT: '100000',
  RATE_LIMIT_GLOBAL: '100000',
};

interface Fault {
  inject: () => unknown;
  clear: () => unknown;
}

/**
 * Faults of the Azure side of the production authentication path (Key
 * Vault, the managed identity endpoint), injected into the doubles around
 * the production build: while it runs with the key cached, and at start-up.
 * For each: status and code, time to answer, third-party attempts, recovery
 * without a restart, every 200's code on the queue, and no key anywhere.
 */
describe('fault matrix: Key Vault and the identity endpoint (node dist/main.js, production stack)', () => {
  let stack: ProductionStack;
  const matrix = new FaultMatrix(
    () => stack.referenceApi.stats.requests,
    async (queueName) => (await drainQueue(stack.queue(queueName))).map((text) => decodeMessage(text).code),
  );

  beforeAll(async () => {
    stack = await ProductionStack.start();
  }, 120_000);

  afterAll(async () => {
    try {
      await matrix.finish('fault-matrix-azure', stack.key);
    } finally {
      await stack?.stop();
    }
  }, 60_000);

  /** Starts the production build and waits for its start-up diagnostics (which may be failing). */
  async function startApp(): Promise<MatrixApp> {
    const queueName = uniqueQueueName();
    const { app, base } = await startAppProcess((port) => stack.appEnvironment(port, queueName, POLICY));
    return matrix.track({ app, base, queueName });
  }

  async function readiness(target: MatrixApp): Promise<number> {
    return (await fetch(`${target.base}/health/ready`)).status;
  }

  /** The message of the first JSON log line after `offset` that matches `msg`, once it has been written. */
  async function logLineSince(app: AppProcess, offset: number, msg: RegExp): Promise<string> {
    let found: string | undefined;
    await eventually(() => {
      found = findLogLine(logEntries(app.output.slice(offset)), { msg })?.msg;
      return found !== undefined;
    }, 20_000);
    return found ?? '';
  }

  const vaultFaults: [string, Fault, () => number, RegExp][] = [
    [
      'Key Vault 503',
      { inject: () => (stack.vault.failWith = { status: 503 }), clear: () => (stack.vault.failWith = undefined) },
      () => stack.vault.stats.failed,
      /failed \(RestError HTTP 503 ServiceUnavailable\); check that the vault exists and is reachable/,
    ],
    [
      'Key Vault 429 with Retry-After: 1',
      {
        inject: () => (stack.vault.failWith = { status: 429, headers: { 'retry-after': '1' } }),
        clear: () => (stack.vault.failWith = undefined),
      },
      () => stack.vault.stats.failed,
      /is throttling the app \(HTTP 429\)/,
    ],
    [
      'Key Vault hangs',
      { inject: () => (stack.vault.failWith = 'hang'), clear: () => (stack.vault.failWith = undefined) },
      () => stack.vault.stats.failed,
      /took longer than 8000 ms, the SDK's retries included/,
    ],
    // Connections to a stopped vault fail in the proxy: count the tunnels the app asked for.
    [
      'Key Vault down',
      { inject: () => stack.vault.stop(), clear: () => stack.vault.start() },
      () => stack.proxy.tunnels.length,
      /check that the vault exists and is reachable/,
    ],
  ];

  describe('while running, with the key cached', () => {
    let target: MatrixApp;

    beforeAll(async () => {
      target = await startApp();
      expect((await matrix.getCode(target)).status).toBe(200);
    }, 60_000);

    it.each(vaultFaults)(
      '%s -> 200 from the cached key while refreshes fail, ready throughout; the next refresh succeeds once it is back',
      async (fault, { inject, clear }, failedReads, hint) => {
        const before = failedReads();
        const logged = target.app.output.length;
        await inject();
        await sleep(1_100); // the cached key is now stale: the next read refreshes it in the background
        const first = await matrix.getCode(target);
        const during = [first];
        for (let i = 0; i < 6; i++) {
          await sleep(250);
          during.push(await matrix.getCode(target));
        }
        await eventually(() => failedReads() > before); // the refresh really went to the vault and failed
        const readyDuring = await readiness(target);
        const warning = await logLineSince(target.app, logged, /^Refreshing secret/);

        const served = stack.vault.stats.secretReads;
        await clear();
        await eventually(async () => {
          await matrix.getCode(target); // a stale read starts the next refresh once the backoff is over
          return stack.vault.stats.secretReads > served;
        }, 30_000);
        const recovered = await matrix.recovers(target);
        matrix.record(`${fault} while running`, first, recovered);

        expect(during.map((answer) => answer.status)).toEqual(Array(during.length).fill(200));
        expect(during.every((answer) => answer.attempts === 1)).toBe(true);
        expect(Math.max(...during.map((answer) => answer.ms))).toBeLessThan(1_000); // nobody waited on the vault
        expect(readyDuring).toBe(200);
        expect(warning).toMatch(hint);
        expect(recovered).toBe(true);
      },
      60_000,
    );

    it('identity endpoint down -> 200: cached tokens keep Key Vault refreshes and queue writes working', async () => {
      await stack.identity.stop();
      const served = stack.vault.stats.secretReads;
      await sleep(1_100);
      const first = await matrix.getCode(target);
      await eventually(async () => {
        expect((await matrix.getCode(target)).status).toBe(200);
        return stack.vault.stats.secretReads > served; // a refresh succeeded without the identity endpoint
      });
      await stack.identity.start();
      const recovered = await matrix.recovers(target);
      matrix.record('identity endpoint down while running', first, recovered);
      expect(first).toMatchObject({ status: 200, attempts: 1 });
      expect(recovered).toBe(true);
    }, 60_000);
  });

  describe('at start-up', () => {
    it.each<[string, string, Fault]>([
      [
        'Key Vault 503',
        'SECRET_STORE_UNAVAILABLE',
        { inject: () => (stack.vault.failWith = { status: 503 }), clear: () => (stack.vault.failWith = undefined) },
      ],
      [
        'Key Vault down',
        'SECRET_STORE_UNAVAILABLE',
        { inject: () => stack.vault.stop(), clear: () => stack.vault.start() },
      ],
      [
        'identity endpoint 503',
        'CREDENTIAL_UNAVAILABLE',
        { inject: () => (stack.identity.failWith = 503), clear: () => (stack.identity.failWith = undefined) },
      ],
    ])(
      '%s -> 503 %s at once, without calling the third party, not ready; ready and serving by itself once it is back',
      async (fault, code, { inject, clear }) => {
        await inject();
        const target = await startApp();
        const down = await matrix.getCode(target);
        const readyDuring = await readiness(target);
        await clear();
        await eventually(async () => (await readiness(target)) === 200, 30_000);
        const recovered = await matrix.recovers(target);
        matrix.record(`${fault} at start-up`, down, recovered);

        expect(down).toMatchObject({ status: 503, code, attempts: 0 });
        expect(down.ms).toBeLessThan(1_000);
        expect(readyDuring).toBe(503);
        expect(recovered).toBe(true);
        await target.app.stop('SIGKILL');
      },
      90_000,
    );
  });
});
