import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import type { AccessToken } from '@azure/identity';
import { jest } from '@jest/globals';
import { createClient, type RedisClientOptions } from '@redis/client';
import { EntraIdCredentialsProviderFactory, REDIS_SCOPE_DEFAULT } from '@redis/entraid';
import { decodeJwt } from '../doubles/jwt.js';
import { type IssuedToken, ManagedIdentityEndpoint } from '../doubles/managed-identity-endpoint.js';
import { createTestPki, type TestPki } from '../doubles/test-pki.js';
import { eventually } from './eventually.js';
import { RedisServer } from './redis-server.js';

const REDIS_RESOURCE = 'https://redis.azure.com';
/** The rate-limit store's shape: count a hit, start the window on the first one, answer count and time left. */
const HIT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`;

jest.setTimeout(20_000);

/**
 * Asks the endpoint for a token on every call, as the app's managed identity
 * credential does once tokens live under 300 s (see `tokenLifetimeSeconds`).
 */
function endpointCredential(
  identity: ManagedIdentityEndpoint,
  clientId?: string,
): { getToken(): Promise<AccessToken> } {
  return {
    async getToken(): Promise<AccessToken> {
      const url = new URL(identity.environment.IDENTITY_ENDPOINT ?? '');
      url.search = new URLSearchParams({ 'api-version': '2019-08-01', resource: REDIS_RESOURCE }).toString();
      if (clientId) {
        url.searchParams.set('client_id', clientId);
      }
      const res = await fetch(url, { headers: { 'x-identity-header': identity.header } });
      if (!res.ok) {
        throw new Error(`the identity endpoint answered ${res.status}`);
      }
      const body = (await res.json()) as { access_token: string; expires_on: string };
      return { token: body.access_token, expiresOnTimestamp: Number(body.expires_on) * 1000 };
    },
  };
}

describe('RedisServer with tokens from the managed identity double', () => {
  let pki: TestPki;
  let identity: ManagedIdentityEndpoint;
  let redis: RedisServer;
  let clients: { isOpen: boolean; destroy(): void }[];

  /** A client of `redis`, destroyed after the test; without a reconnect strategy unless given one. */
  async function connect(options: RedisClientOptions = {}) {
    const client = createClient({
      ...options,
      socket: { reconnectStrategy: false, ...options.socket, ...redis.socket },
    });
    client.on('error', () => undefined); // each test asserts the failures it expects
    clients.push(client);
    await client.connect();
    return client;
  }

  beforeAll(() => {
    pki = createTestPki();
  });

  beforeEach(async () => {
    clients = [];
    identity = new ManagedIdentityEndpoint();
    await identity.start();
    redis = new RedisServer(pki);
    await redis.start();
  });

  afterEach(async () => {
    for (const client of clients.filter((c) => c.isOpen)) {
      client.destroy();
    }
    await Promise.all([redis?.stop(), identity?.stop()]);
  });

  afterAll(() => pki?.remove());

  it('lets in only ACL users (object id, token as password), who may run the store commands and no others', async () => {
    const { token, oid } = identity.mint(REDIS_RESOURCE);
    await redis.setUser(oid, token);

    const client = await connect({ username: oid, password: token });
    const [count, ttl] = (await client.eval(HIT, { keys: ['rl:a'], arguments: ['60000'] })) as number[];
    expect(count).toBe(1);
    expect(ttl).toBeGreaterThan(0);
    await expect(client.set('rl:a', '0')).rejects.toThrow(/NOPERM/);
    expect(await redis.clientCount(oid)).toBe(1);
    await expect(connect()).rejects.toThrow(/NOAUTH/);
  });

  it('refuses a new connection with the replaced token; a live one keeps working and re-authenticates', async () => {
    const first = identity.mint(REDIS_RESOURCE);
    await redis.setUser(first.oid, first.token);
    const live = await connect({ username: first.oid, password: first.token });
    const second = identity.mint(REDIS_RESOURCE);
    expect(second.oid).toBe(first.oid);
    expect(second.token).not.toBe(first.token);

    await redis.setUser(second.oid, second.token);
    await expect(connect({ username: first.oid, password: first.token })).rejects.toThrow(/WRONGPASS/);
    expect(await redis.authFailures(first.oid)).toBe(1);
    expect(await live.incr('rl:b')).toBe(1);
    await expect(live.sendCommand(['AUTH', second.oid, second.token])).resolves.toBe('OK');
    expect(await redis.commandCount('auth')).toBe(1);
    expect(await live.incr('rl:b')).toBe(2);
    await expect(connect({ username: second.oid, password: second.token })).resolves.toBeDefined();
  });

  it("refuses a token that names another identity's object id", async () => {
    const good = identity.mint(REDIS_RESOURCE);
    await redis.setUser(good.oid, good.token);
    identity.objectIdOverrides.set(REDIS_RESOURCE, randomUUID());

    const wrong = identity.mint(REDIS_RESOURCE);
    expect(wrong.oid).not.toBe(good.oid);
    await expect(connect({ username: wrong.oid, password: wrong.token })).rejects.toThrow(/WRONGPASS/);
    expect(await redis.authFailures(wrong.oid)).toBe(1);
  });

  it('keeps a streaming-credentials client logged in through short-lived tokens by re-AUTHing it', async () => {
    identity.tokenLifetimeSeconds = 2;
    identity.onToken = ({ oid, token }) => redis.rotatePassword(oid, token);
    const credentialsProvider = EntraIdCredentialsProviderFactory.createForDefaultAzureCredential({
      credential: endpointCredential(identity),
      scopes: REDIS_SCOPE_DEFAULT,
      tokenManagerConfig: { expirationRefreshRatio: 0.5 },
    });

    const client = await connect({ credentialsProvider });
    expect(await redis.commandCount('hello')).toBe(2); // the harness's own connection and this one
    await eventually(async () => (await redis.commandCount('auth')) >= 2, 10_000);
    expect(await client.incr('rl:c')).toBe(1);
    expect(await redis.authFailures()).toBe(0);
    expect(await redis.clientCount(identity.objectIdFor())).toBe(1);
    expect(identity.requestsFor(REDIS_RESOURCE).length).toBeGreaterThanOrEqual(3);
  });

  it('comes back on the same port after stop(), with its users but no data, and a client reconnects', async () => {
    const { token, oid } = identity.mint(REDIS_RESOURCE);
    await redis.setUser(oid, token);
    const client = await connect({ username: oid, password: token, socket: { reconnectStrategy: () => 50 } });
    expect(await client.incr('rl:d')).toBe(1);
    const url = redis.url;

    await redis.stop();
    await expect(redis.commandCount('hello')).rejects.toThrow(/not running/);
    const ready = new Promise((resolve) => client.once('ready', resolve)); // once() would reject on the 'error's before
    await redis.restart();
    await ready;
    expect(redis.url).toBe(url);
    expect(await client.incr('rl:d')).toBe(1);
    expect(await redis.clientCount(oid)).toBe(1);
  });

  it("disconnect() closes the user's connections", async () => {
    const { token, oid } = identity.mint(REDIS_RESOURCE);
    await redis.setUser(oid, token);
    const client = await connect({ username: oid, password: token });
    const dropped = once(client, 'error');

    expect(await redis.disconnect(oid)).toBe(1);
    await dropped;
    expect(await redis.clientCount(oid)).toBe(0);
  });

  it('start() rejects at once with the output when redis-server exits, and leaves nothing running', async () => {
    const broken = new RedisServer({ ...pki, certPath: join(pki.dir, 'missing.pem') });
    await expect(broken.start()).rejects.toThrow(/ended before it was ready \(1\):[\s\S]*missing\.pem/);
    await expect(broken.stop()).resolves.toBeUndefined();
  });

  it('the identity double: one object id per identity, a new token per request, the lifetime set', async () => {
    identity.tokenLifetimeSeconds = 5;
    const userAssigned = randomUUID();
    const claims = async (clientId?: string) => {
      const { token, expiresOnTimestamp } = await endpointCredential(identity, clientId).getToken();
      return { token, expiresOnTimestamp, ...decodeJwt(token) };
    };

    const [a, b, c] = [await claims(), await claims(), await claims(userAssigned)];
    expect([a.oid, b.oid]).toEqual([identity.objectIdFor(), identity.objectIdFor()]);
    expect(c.oid).toBe(identity.objectIdFor(userAssigned));
    expect(c.oid).not.toBe(a.oid);
    expect(b.token).not.toBe(a.token);
    expect((a.exp ?? 0) - (a.iat ?? 0)).toBe(5);
    expect(a.expiresOnTimestamp).toBe((a.exp ?? 0) * 1000);
  });

  it('the identity double: onToken sees each token before the caller; a failing hook answers 500', async () => {
    const seen: IssuedToken[] = [];
    identity.onToken = (issued) => void seen.push(issued);
    const { token } = await endpointCredential(identity).getToken();
    expect(seen).toEqual([expect.objectContaining({ resource: REDIS_RESOURCE, token, oid: identity.objectIdFor() })]);

    identity.onToken = () => Promise.reject(new Error('Redis is down'));
    await expect(endpointCredential(identity).getToken()).rejects.toThrow(/answered 500/);
  });
});
