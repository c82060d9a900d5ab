import { randomUUID } from 'node:crypto';
import { RATE_LIMIT_DETAIL } from '../../src/rate-limit/rate-limit.guard.js';
import type { IssuedToken } from '../doubles/managed-identity-endpoint.js';
import { type AppProcess, type StartedApp, startAppProcess } from '../support/app-process.js';
import { uniqueQueueName } from '../support/azurite.js';
import { eventually } from '../support/eventually.js';
import { getCode } from '../support/get-code.js';
import { logEntries, logLine, logLines } from '../support/log-lines.js';
import { ProductionStack } from '../support/production-stack.js';
import { RedisServer } from '../support/redis-server.js';
import { sleep } from '../support/sleep.js';
import { steadyLoad } from '../support/steady-load.js';

const REDIS_RESOURCE = 'https://redis.azure.com';
const KEY_PREFIX = 'aia:rate-limit:';
/** For the tests about Redis itself rather than the limits. */
const HIGH_LIMITS = { RATE_LIMIT_PER_CLIENT: '100000', RATE_LIMIT_GLOBAL: '100000' };
const DOWN = /^Redis \(shared rate limits\) is down: /;
const UP_AGAIN = /^Redis \(shared rate limits\) is up again/;

interface Answer {
  status: number;
  retryAfter?: string;
  remaining?: string;
  reset?: string;
  contentType?: string;
  code?: string;
  detail?: string;
}

interface Readiness {
  status: number;
  store?: string;
}

const SHARED = /rate limits are shared by every instance$|^Redis \(shared rate limits\) is up again/;

/** Readiness, and where the limits are counted now: the last change of store the app logged. */
async function readiness({ app, base }: { app: AppProcess; base: string }): Promise<Readiness> {
  const res = await fetch(`${base}/health/ready`);
  const changes = logEntries(app.stdout).filter((entry) => SHARED.test(entry.msg) || DOWN.test(entry.msg));
  const last = changes.at(-1)?.msg;
  return {
    status: res.status,
    store: last === undefined ? undefined : SHARED.test(last) ? 'shared' : 'local-fallback',
  };
}

/** GETs /api/v1/getcode of each `[base, client]` (the client named by X-Forwarded-For), `concurrency` at a time. */
async function send(requests: [string, string][], concurrency: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const [base, client] = requests[next++] as [string, string];
      const res = await getCode(base, { 'x-forwarded-for': client });
      const problem = res.status === 200 ? {} : (JSON.parse(res.text) as { code?: string; detail?: string });
      const headers = res.headers as Record<string, string>;
      const { 'retry-after': retryAfter, 'content-type': contentType } = headers;
      const { 'ratelimit-remaining': remaining, 'ratelimit-reset': reset } = headers;
      answers.push({ status: res.status, retryAfter, remaining, reset, contentType, ...problem });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answers;
}

/** Asserts that the refused answers are 429 problem+json RATE_LIMITED with `detail` and a Retry-After within the minute. */
function expectRefused(answers: Answer[], detail: string): void {
  for (const answer of answers) {
    expect(answer).toMatchObject({ status: 429, code: 'RATE_LIMITED', detail });
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(answer.retryAfter)).toBeLessThanOrEqual(60);
    expect(answer).toMatchObject({ remaining: '0', reset: answer.retryAfter });
  }
}

/**
 * The windows are wall-clock minutes: resolves, with the window's number,
 * once the current minute has at least `ms` left, so a test's counts are
 * not reset half-way.
 */
async function windowWithAtLeast(ms: number): Promise<number> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < ms) {
    await sleep(left + 100);
  }
  return Math.floor(Date.now() / 60_000);
}

/**
 * Rate limits shared by every instance in a real redis-server (TLS, ACL
 * users as Azure Managed Redis with Entra ID: user = the token's object id,
 * password = the token), on the production build and the production auth
 * path: Redis tokens come from the managed identity double through the
 * app's one credential.
 */
describe('rate limits shared in Redis (node dist/main.js, production stack, redis-server with Entra tokens)', () => {
  let stack: ProductionStack;
  let redis: RedisServer;
  /** Every token the identity endpoint issued, for every resource. */
  const issued: IssuedToken[] = [];
  const running: AppProcess[] = [];
  /** Object ids whose access policy no longer takes new tokens (as if it had been removed). */
  const revoked = new Set<string>();

  beforeAll(async () => {
    stack = await ProductionStack.start();
    redis = new RedisServer(stack.pki);
    await redis.start();
    stack.identity.onToken = async (token) => {
      issued.push(token);
      const { resource, clientId, oid } = token;
      // The cache has an access policy for each identity's own object id, which logs in with its newest two tokens.
      if (resource === REDIS_RESOURCE && oid === stack.identity.objectIdFor(clientId) && !revoked.has(oid)) {
        await redis.rotatePassword(oid, token.token);
      }
    };
  }, 120_000);

  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.stop('SIGKILL')));
  });

  afterAll(async () => {
    await redis?.stop();
    await stack?.stop();
  }, 30_000);

  /** The production build with REDIS_URL, once it is ready and its start-up diagnostics have reported on Redis too. */
  async function startApp(extra: Record<string, string>): Promise<StartedApp & { redisLine: string }> {
    const started = await startAppProcess((port) =>
      stack.appEnvironment(port, uniqueQueueName(), { REDIS_URL: redis.url, TRUST_PROXY: '1', ...extra }),
    );
    running.push(started.app);
    const redisLine = await logLine(started.app, { context: 'StartupDiagnostics', msg: /^(redis: )?Redis / });
    await eventually(async () => (await readiness(started)).status === 200); // the queue's check may still run
    return { ...started, redisLine };
  }

  it('three instances share both limits: exactly the per-client and the global number of requests get 200', async () => {
    const [perClient, global] = [5, 20];
    const limits = { RATE_LIMIT_PER_CLIENT: String(perClient), RATE_LIMIT_GLOBAL: String(global) };
    const apps: StartedApp[] = [];
    for (let i = 0; i < 3; i++) {
      const app = await startApp(limits); // one after another: each identity's ACL user takes its newest two tokens
      expect(app.redisLine).toBe(
        `Redis 127.0.0.1:${new URL(redis.url).port}: reachable with a token as system-assigned managed identity ` +
          'app-e2e (client id 0b8d3f4a-0000-4000-8000-00000000a001); rate limits are shared by every instance',
      );
      apps.push(app);
    }
    const window = await windowWithAtLeast(20_000);
    // A first request per instance, so none below runs cold code; one that took Redis past its bound is retried.
    for (const [i, { app, base }] of apps.entries()) {
      await eventually(async () => {
        await send([[base, `198.51.100.${i + 1}`]], 1);
        return (await readiness({ app, base })).store === 'shared';
      });
    }
    const logged = apps.map(({ app }) => app.stdout.length);
    const globalKey = `${KEY_PREFIX}{${window}}:global`;
    const warmUp = Number((await redis.entries(globalKey))[0]?.value ?? 0);

    // One client on all three instances, then 45 clients spread over them: round-robin.
    const oneClient = await send(
      Array.from({ length: 30 }, (_, i) => [apps[i % 3]?.base ?? '', '203.0.113.7']),
      3,
    );
    const manyClients = await send(
      Array.from({ length: 45 }, (_, i) => [apps[i % 3]?.base ?? '', `192.0.2.${i + 1}`]),
      3,
    );

    expect(Math.floor(Date.now() / 60_000)).toBe(window); // still the same window: no count was reset
    // No instance fell back to counting alone (which would explain any count below being off).
    apps.forEach(({ app }, i) => expect(logLines(app, { msg: DOWN }, logged[i])).toEqual([]));
    expect(oneClient.filter((a) => a.status === 200)).toHaveLength(perClient);
    // Each instance tells the client what is left of the shared count, not of its own.
    const left = oneClient.filter((a) => a.status === 200).map((a) => Number(a.remaining));
    expect(left.sort()).toEqual([0, 1, 2, 3, 4]);
    expectRefused(
      oneClient.filter((a) => a.status !== 200),
      RATE_LIMIT_DETAIL.client,
    );
    // The client's refused requests are not counted globally: the global limit has what the warm-up left.
    expect(manyClients.filter((a) => a.status === 200)).toHaveLength(global - perClient - warmUp);
    expectRefused(
      manyClients.filter((a) => a.status !== 200),
      RATE_LIMIT_DETAIL.global,
    );

    const entries = await redis.entries();
    for (const entry of entries) {
      expect(entry.key.startsWith(KEY_PREFIX)).toBe(true);
      expect(entry.ttlMs).toBeGreaterThan(0);
      expect(entry.ttlMs).toBeLessThanOrEqual(120_000);
    }
    const counted = (key: string) => entries.find((entry) => entry.key === key)?.value;
    expect(counted(`${KEY_PREFIX}{${window}}:client:203.0.113.7`)).toBe('30');
    expect(counted(globalKey)).toBe(String(warmUp + perClient + 45));
    for (const { app, base } of apps) {
      expect(await readiness({ app, base })).toEqual({ status: 200, store: 'shared' });
    }
  }, 150_000);

  it('re-authenticates its connection with each new token: every request served, no login refused, no warning', async () => {
    const [lifetime, seconds] = [6, 25];
    stack.identity.tokenLifetimeSeconds = lifetime;
    try {
      const clientId = randomUUID();
      const oid = stack.identity.objectIdFor(clientId);
      const { app, base, redisLine } = await startApp({ ...HIGH_LIMITS, AZURE_CLIENT_ID: clientId });
      expect(redisLine).toBe(
        `Redis 127.0.0.1:${new URL(redis.url).port}: reachable with a token as user-assigned managed identity ` +
          `id-e2e (client id ${clientId}); rate limits are shared by every instance`,
      );
      const authsBefore = await redis.commandCount('auth');
      const tokensBefore = stack.identity.requestsFor(REDIS_RESOURCE).length;

      const load = await steadyLoad(`${base}/api/v1/getcode`, { clients: 2, rate: 4, seconds });

      expect(load.answers).toEqual({ '200 -': load.requests });
      expect(stack.identity.requestsFor(REDIS_RESOURCE).length - tokensBefore).toBeGreaterThanOrEqual(
        Math.floor(seconds / lifetime) - 1,
      );
      expect((await redis.commandCount('auth')) - authsBefore).toBeGreaterThanOrEqual(
        Math.floor(seconds / lifetime) - 1,
      );
      expect(await redis.authFailures(oid)).toBe(0);
      expect(await redis.clientCount(oid)).toBeGreaterThanOrEqual(1);
      expect(await readiness({ app, base })).toEqual({ status: 200, store: 'shared' });
      expect(logLines(app, { level: 'warn', msg: /redis/i })).toEqual([]);
      expect(logLines(app, { level: 'error', msg: /redis/i })).toEqual([]);
    } finally {
      stack.identity.tokenLifetimeSeconds = 3600;
    }
  }, 120_000);

  it('Redis stopped under load: requests are counted locally at once, and in Redis again once it is back', async () => {
    const { app, base } = await startApp({ ...HIGH_LIMITS, AZURE_CLIENT_ID: randomUUID() });
    expect(await readiness({ app, base })).toEqual({ status: 200, store: 'shared' });
    const logged = app.stdout.length;
    const underway = steadyLoad(`${base}/api/v1/getcode`, { clients: 3, rate: 10, seconds: 15 });

    await sleep(3_000);
    const seen: Readiness[] = [];
    await redis.stop();
    try {
      await eventually(
        async () => seen.push(await readiness({ app, base })) > 0 && seen.at(-1)?.store === 'local-fallback',
      );
      await sleep(3_000);
    } finally {
      await redis.start(); // the same port, its ACL users back
    }
    await eventually(async () => seen.push(await readiness({ app, base })) > 0 && seen.at(-1)?.store === 'shared');
    const load = await underway;

    expect(load.answers).toEqual({ '200 -': load.requests }); // no 5xx: the limits are high, only the store changed
    expect(load.max).toBeLessThan(1_000); // no request waited on Redis past its bound
    expect(seen.filter((ready) => ready.status !== 200)).toEqual([]);
    expect(logLines(app, { level: 'warn', msg: DOWN }, logged)).toHaveLength(1);
    expect(logLines(app, { msg: UP_AGAIN }, logged)).toHaveLength(1);

    // Redis restarted empty: what it holds now was counted after it came back.
    await send([[base, '203.0.113.20']], 1);
    const globals = await redis.entries(`${KEY_PREFIX}*:global`);
    expect(globals.reduce((sum, entry) => sum + Number(entry.value), 0)).toBeGreaterThanOrEqual(1);
    expect(await redis.entries(`${KEY_PREFIX}*:client:203.0.113.20`)).toHaveLength(1);
  }, 120_000);

  it('a re-authentication Redis refuses: a warning naming the access policy, and requests are still served', async () => {
    const clientId = randomUUID();
    const oid = stack.identity.objectIdFor(clientId);
    stack.identity.tokenLifetimeSeconds = 4;
    try {
      const { app, base } = await startApp({ ...HIGH_LIMITS, AZURE_CLIENT_ID: clientId });
      expect((await readiness({ app, base })).store).toBe('shared');
      revoked.add(oid); // the next token's AUTH is refused
      const warning = await logLine(app, { level: 'warn', msg: /refused the app's Entra ID token/ });
      expect(warning).toMatch(/give the app's managed identity an access policy assignment on the cache/);
      expect(await redis.authFailures(oid)).toBeGreaterThan(0);
      for (let i = 0; i < 5; i++) {
        expect((await getCode(base, { 'x-forwarded-for': '203.0.113.50' })).status).toBe(200);
      }
    } finally {
      stack.identity.tokenLifetimeSeconds = 3600;
    }
  }, 60_000);

  it('a token Redis refuses: a warning naming the access policy, local limits until it is assigned, no token shown', async () => {
    // Tokens for Redis now carry an object id the cache has no access policy for.
    const stranger = randomUUID();
    stack.identity.objectIdOverrides.set(REDIS_RESOURCE, stranger);
    try {
      const { app, base, redisLine } = await startApp({
        RATE_LIMIT_PER_CLIENT: '3',
        RATE_LIMIT_GLOBAL: '100000',
        AZURE_CLIENT_ID: randomUUID(),
      });
      const fix = "refused the app's Entra ID token: give the app's managed identity an access policy assignment";
      expect(redisLine).toContain(fix);
      expect(await logLine(app, { level: 'warn', msg: DOWN })).toContain(fix);
      expect(await redis.authFailures()).toBeGreaterThan(0);
      expect(await readiness({ app, base })).toEqual({ status: 200, store: 'local-fallback' });

      await windowWithAtLeast(10_000);
      const answers = await send(
        Array.from({ length: 5 }, () => [base, '203.0.113.30']),
        1,
      );
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429, 429]);
      expectRefused(answers.slice(3), RATE_LIMIT_DETAIL.client);
      expect(await readiness({ app, base })).toEqual({ status: 200, store: 'local-fallback' });

      // The access policy assigned: the instance's next reconnection logs in, without a restart.
      const strangerTokens = issued.filter((token) => token.oid === stranger).map((token) => token.token);
      expect(strangerTokens.length).toBeGreaterThan(0);
      await redis.setUser(stranger, ...strangerTokens);
      await eventually(async () => (await readiness({ app, base })).store === 'shared', 20_000);
      expect(await logLine(app, { msg: UP_AGAIN })).toMatch(UP_AGAIN);

      for (const { token } of issued) {
        expect(app.output).not.toContain(token);
      }
      expect(app.output).not.toMatch(/eyJ[\w-]+\.eyJ/); // nor any other JWT
    } finally {
      stack.identity.objectIdOverrides.delete(REDIS_RESOURCE);
    }
  }, 90_000);
});
