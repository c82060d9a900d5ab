import request from 'supertest';
import type { ProblemDetails } from '../../src/common/problem-details.filter.js';
import { freePort } from '../../scripts/ports.js';
import { StorageAccessDenied } from '../doubles/storage-access-denied.js';
import { uniqueQueueName } from '../support/azurite.js';
import { type AppProcess, startAppProcess } from '../support/app-process.js';
import { ProductionStack, VAULT_URL } from '../support/production-stack.js';
import { getCode } from '../support/get-code.js';
import { findLogLine, logEntries } from '../support/log-lines.js';

/** The message of a start-up diagnostics line of the production build's JSON logs, by level and message. */
function findLine(app: AppProcess, level: string, msg: RegExp): string | undefined {
  return findLogLine(logEntries(app.stdout), { context: 'StartupDiagnostics', level, msg })?.msg;
}

/**
 * Start-up diagnostics of the production build against the doubles: each
 * misconfiguration an operator can meet yields one log line saying what to
 * fix, within a bounded time, and the process keeps serving.
 */
describe('start-up diagnostics (node dist/main.js)', () => {
  let stack: ProductionStack;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    stack = await ProductionStack.start();
  }, 120_000);

  afterEach(async () => {
    await app?.stop('SIGKILL');
    stack.vault.forbidden = false;
  });

  afterAll(() => stack.stop(), 30_000);

  async function start(extra: Record<string, string>, queueUrl?: string): Promise<{ app: AppProcess; base: string }> {
    const queue: Record<string, string> = queueUrl ? { STORAGE_QUEUE_URL: queueUrl } : {};
    const started = await startAppProcess((port) =>
      stack.appEnvironment(port, uniqueQueueName(), { ...extra, ...queue }),
    );
    app = started.app;
    return started;
  }

  it('names the managed identity problem, within the token timeout, and keeps serving', async () => {
    const closed = await freePort();
    const started = Date.now();
    const { app, base } = await start({
      IDENTITY_ENDPOINT: `http://127.0.0.1:${closed}/msi/token`,
      TEST_POLICY_OVERRIDES: JSON.stringify({ tokenTimeoutMs: 3000 }),
    });
    expect(Date.now() - started).toBeLessThan(15_000);

    const fix = /The App Service managed identity endpoint gave no token: check that the identity is enabled/;
    expect(findLine(app, 'error', new RegExp(`^secrets: No Microsoft Entra token for Key Vault ${VAULT_URL}`))).toMatch(
      fix,
    );
    expect(findLine(app, 'error', /^queue: No Microsoft Entra token for queue "e2e-[0-9a-f]+"/)).toMatch(fix);

    expect((await request(base).get('/')).status).toBe(200);
    const res = await getCode(base);
    expect(res.status).toBe(503);
    expect(res.body as ProblemDetails).toMatchObject({ code: 'CREDENTIAL_UNAVAILABLE' });
    const ready = await request(base).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      error: { credential: { status: 'down' } },
    });
  }, 40_000);

  it('translates a Key Vault 403 into the missing role', async () => {
    stack.vault.forbidden = true;
    const { app } = await start({});
    expect(findLine(app, 'error', /^secrets: /)).toBe(
      `secrets: The app's identity may not read secret "third-party-api-key" in Key Vault ${VAULT_URL}: ` +
        'grant it the "Key Vault Secrets User" role on the vault or the secret.',
    );
    expect(stack.vault.stats.forbidden).toBeGreaterThan(0);
    expect(findLine(app, 'info', /^Storage queue .*reachable with a token/)).toBeDefined();
  });

  it('names a secret that does not exist in the vault', async () => {
    const { app } = await start({ THIRD_PARTY_API_SECRET_NAME: 'no-such-secret' });
    expect(findLine(app, 'error', /^secrets: /)).toBe(
      `secrets: Secret "no-such-secret" does not exist in Key Vault ${VAULT_URL}: ` +
        'create it (az keyvault secret set) or fix THIRD_PARTY_API_SECRET_NAME.',
    );
    expect(stack.vault.stats.notFound).toBeGreaterThan(0);
  });

  it('translates a queue 403 into the missing role', async () => {
    const storage = new StorageAccessDenied(stack.pki);
    try {
      const { app } = await start({}, await storage.start());
      expect(findLine(app, 'error', /^queue: /)).toMatch(
        /^queue: The app's identity may not write to queue "code-requests" at devstoreaccount1: grant it the "Storage Queue Data Message Sender" role/,
      );
      expect(storage.requests).toBeGreaterThan(0);
      expect(
        findLine(app, 'info', /^Key Vault .*is readable as system-assigned managed identity app-e2e/),
      ).toBeDefined();
    } finally {
      await storage.stop();
    }
  });
});
