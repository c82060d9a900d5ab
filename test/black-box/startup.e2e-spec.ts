import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ReferenceApi } from '../../reference-api/main.js';
import type { ProblemDetails } from '../../src/common/problem-details.filter.js';
import { AppProcess, startAppProcess } from '../support/app-process.js';
import { ManagedIdentityEndpoint } from '../doubles/managed-identity-endpoint.js';
import { Azurite } from '../support/azurite.js';
import { freePort } from '../../scripts/ports.js';
import { getCode } from '../support/get-code.js';
import { findLogLine, logEntries } from '../support/log-lines.js';

const KEY = `e2e-key-${randomBytes(12).toString('hex')}`;

describe('the production build at start-up (node dist/main.js)', () => {
  it('stops with exit code 1 and one message listing every configuration problem', async () => {
    const app = new AppProcess({ PORT: 'http', LOG_LEVEL: 'loud' });
    expect(await app.exited).toBe(1);
    expect(app.stderr).toMatch(/^Invalid configuration \(5 problems\):\n/);
    for (const name of ['PORT', 'LOG_LEVEL', 'THIRD_PARTY_API_ENDPOINT', 'STORAGE_QUEUE_URL', 'KEY_VAULT_URL']) {
      expect(app.stderr).toMatch(new RegExp(`^  - ${name} `, 'm'));
    }
    expect(app.stderr).not.toMatch(/^\s+at /m);
    expect(app.stdout).toBe('');
  });

  it('refuses the local key fallback in production, without printing the key', async () => {
    const app = new AppProcess({
      NODE_ENV: 'production',
      THIRD_PARTY_API_ENDPOINT: 'https://fn.example.net/api/RandomNumber',
      THIRD_PARTY_API_KEY: KEY,
      AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
    });
    expect(await app.exited).toBe(1);
    expect(app.stderr).toContain('KEY_VAULT_URL is required when NODE_ENV=production');
    expect(app.output).not.toContain(KEY);
  });

  /** Each test gets its own app, started on these doubles. */
  describe('with Key Vault unreachable', () => {
    let identity: ManagedIdentityEndpoint;
    let azurite: Azurite;
    let referenceApi: ReferenceApi;
    let referenceApiUrl: string;
    let app: AppProcess;
    let base: string;

    beforeAll(async () => {
      identity = new ManagedIdentityEndpoint();
      await identity.start();
      azurite = await Azurite.start();
      referenceApi = new ReferenceApi([KEY]);
      referenceApiUrl = await referenceApi.listen();
    });

    beforeEach(async () => {
      const closed = await freePort();
      ({ app, base } = await startAppProcess((port) => ({
        NODE_ENV: 'production',
        PORT: String(port),
        KEY_VAULT_URL: `https://127.0.0.1:${closed}/`,
        THIRD_PARTY_API_ENDPOINT: referenceApiUrl,
        AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
        AZURE_TOKEN_CREDENTIALS: 'prod',
        ...identity.environment,
      })));
    }, 40_000);

    afterEach(() => app?.stop('SIGKILL'));

    afterAll(async () => {
      await referenceApi?.close();
      await azurite?.stop();
      await identity.stop();
    });

    it('stays up, logs what to fix, and answers 503 until the vault can be read', async () => {
      expect((await request(base).get('/')).status).toBe(200);
      await app.waitForOutput(
        /secrets: Reading secret \\"third-party-api-key\\" from Key Vault https:\/\/127\.0\.0\.1:\d+\/ failed .*ECONNREFUSED.*check that the vault exists/,
      );

      const res = await getCode(base);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.body as ProblemDetails).toMatchObject({ code: 'SECRET_STORE_UNAVAILABLE' });
      expect(referenceApi.stats.requests).toBe(0);

      const ready = await request(base).get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ error: { secret: { status: 'down' } }, info: { queue: { status: 'up' } } });
      expect((await request(base).get('/health/live')).status).toBe(200);
    }, 40_000);

    it('writes JSON log lines in production, the start-up diagnostics included', () => {
      const lines = app.stdout.trim().split('\n');
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) {
        expect(() => JSON.parse(line) as unknown).not.toThrow();
      }
      const diagnostics = { context: 'StartupDiagnostics', level: 'error', msg: /^secrets: Reading secret / };
      expect(findLogLine(logEntries(app.stdout), diagnostics)).toBeDefined();
    });

    it('exits 0 on SIGTERM', async () => {
      expect(await app.stop('SIGTERM')).toBe(0);
    });
  });
});
