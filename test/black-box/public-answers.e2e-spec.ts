import { freePort } from '../../scripts/ports.js';
import { environmentShape } from '../../src/config/environment.schema.js';
import { TEST_TENANT_ID } from '../doubles/managed-identity-endpoint.js';
import { TEST_VAULT_HOST } from '../doubles/test-pki.js';
import { type AppProcess, startAppProcess } from '../support/app-process.js';
import { uniqueQueueName } from '../support/azurite.js';
import { ProductionStack } from '../support/production-stack.js';

interface Answer {
  what: string;
  status: number;
  body: string;
}

/**
 * What an anonymous caller can read from the production build on the
 * production-shaped stack: readiness (healthy, with the vault failing, with
 * the queue failing), liveness, a 404 and the error answers of the API. No
 * body may name the vault, the storage account or queue, the identity, a
 * configuration variable or a port of a dependency: that stays in the logs.
 */
describe('public answers tell nothing about the deployment (node dist/main.js)', () => {
  let stack: ProductionStack;
  const apps: AppProcess[] = [];
  const answers: Answer[] = [];
  const secrets: string[] = [];

  beforeAll(async () => {
    stack = await ProductionStack.start();
  }, 120_000);

  beforeEach(() => {
    answers.length = 0; // each test checks the answers it read
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop('SIGKILL')));
    await stack.stop();
  }, 30_000);

  async function start(
    queueName: string,
    extra: Record<string, string> = {},
  ): Promise<{ base: string; app: AppProcess }> {
    const { app, base } = await startAppProcess((port) => {
      const env = stack.appEnvironment(port, queueName, {
        TEST_POLICY_OVERRIDES: '{"queue":{"maxTries":1}}',
        ...extra,
      });
      secrets.push(...Object.values(env).flatMap((value) => (URL.canParse(value) ? [new URL(value).port] : [])));
      return env;
    });
    apps.push(app);
    return { base, app };
  }

  async function read(what: string, url: string, method = 'GET'): Promise<Answer> {
    const res = await fetch(url, { method });
    const answer = { what, status: res.status, body: await res.text() };
    answers.push(answer);
    return answer;
  }

  /** No answer read so far names the vault, the account, the queue, the identity, a setting or a dependency port. */
  function expectNothingLeaked(): void {
    const forbidden = [
      TEST_VAULT_HOST,
      'vault.azure.net',
      'devstoreaccount1',
      TEST_TENANT_ID,
      'app-e2e',
      'managed identity',
      '127.0.0.1',
      'localhost',
      ...Object.keys(environmentShape.shape),
      ...secrets.filter((value) => value !== '').map((value) => (/^\d+$/.test(value) ? `:${value}` : value)),
    ];
    const leaks = answers.flatMap(({ what, body }) =>
      forbidden.filter((text) => body.includes(text)).map((text) => `${what}: ${text}`),
    );
    expect(leaks).toEqual([]);
  }

  it('healthy: readiness, liveness, a 404 and a 405 say only what the caller needs', async () => {
    const queueName = uniqueQueueName();
    const { base } = await start(queueName);
    secrets.push(queueName);
    expect((await read('ready, healthy', `${base}/health/ready`)).status).toBe(200);
    const entries = {
      process: { status: 'up' },
      secret: { status: 'up' },
      queue: { status: 'up' },
      credential: { status: 'up' },
    };
    expect(JSON.parse((await read('ready, healthy', `${base}/health/ready`)).body)).toEqual({
      status: 'ok',
      info: entries,
      error: {},
      details: entries,
    });
    expect((await read('live', `${base}/health/live`)).status).toBe(200);
    expect((await read('404', `${base}/api/v1/nothing-here`)).status).toBe(404);
    expect((await read('405', `${base}/api/v1/getcode`, 'POST')).status).toBe(405);
    expect(answers).toHaveLength(5);
    expectNothingLeaked();
  }, 60_000);

  it('with the vault failing: 503 readiness and 503 problem+json, the details only in the log', async () => {
    stack.vault.failWith = { status: 503 };
    try {
      const { base, app } = await start(uniqueQueueName());
      const ready = await read('ready, vault failing', `${base}/health/ready`);
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toMatchObject({ status: 'error', error: { secret: { status: 'down' } } });
      expect((await read('getcode, vault failing', `${base}/api/v1/getcode`)).status).toBe(503);
      expect(app.output).toContain(`Key Vault https://${TEST_VAULT_HOST}/`);
      expectNothingLeaked();
    } finally {
      stack.vault.failWith = undefined;
    }
  }, 60_000);

  it('with the queue failing: 503 readiness and 503 problem+json, the details only in the log', async () => {
    const closed = await freePort();
    const queueName = uniqueQueueName();
    secrets.push(queueName, String(closed));
    const { base, app } = await start(queueName, {
      STORAGE_QUEUE_URL: `https://127.0.0.1:${closed}/devstoreaccount1/${queueName}`,
    });
    const ready = await read('ready, queue failing', `${base}/health/ready`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'error', error: { queue: { status: 'down' } } });
    expect((await read('getcode, queue failing', `${base}/api/v1/getcode`)).status).toBe(503);
    expect(app.output).toMatch(/Storage queue \\"e2e-\w+\\" at devstoreaccount1 is down: .*check STORAGE_QUEUE_URL/);
    expectNothingLeaked();
  }, 60_000);
});
