import { AxiosError } from 'axios';
import { FakeSecretSource } from '../../test/doubles/fake-secret-source.js';
import { LogCapture } from '../../test/doubles/log-capture.js';
import { ScriptedHttpServer } from '../../test/doubles/scripted-http-server.js';
import { eventually } from '../../test/support/eventually.js';
import { API_KEY_SECRET, createThirdPartyClient } from '../../test/support/third-party-client.js';
import type { ThirdPartyClient } from './third-party.client.js';

const NAME = API_KEY_SECRET;
const OLD_KEY = 'old-key-7f3a9c';
const NEW_KEY = 'new-key-b81e2d';
const ok = (value: unknown) => ({ status: 200, body: JSON.stringify({ value }) });

describe('ThirdPartyClient', () => {
  let upstream: ScriptedHttpServer;
  let source: FakeSecretSource;
  let logs: LogCapture;

  beforeEach(() => {
    upstream = new ScriptedHttpServer();
    source = new FakeSecretSource().set(NAME, OLD_KEY);
    logs = new LogCapture();
  });

  afterEach(() => upstream.stop());

  async function createClient(endpoint?: string, timeoutMs = 2_000): Promise<ThirdPartyClient> {
    return createThirdPartyClient(endpoint ?? (await upstream.start()), source, logs, { attemptTimeoutMs: timeoutMs });
  }

  it('sends the key from the secret store as x-functions-key and returns the value', async () => {
    upstream.answerWith(ok(417));
    const client = await createClient();
    await expect(client.getNumber()).resolves.toBe(417);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]?.headers['x-functions-key']).toBe(OLD_KEY);
    expect(upstream.requests[0]?.method).toBe('GET');
  });

  it.each([401, 403])('after a %i, re-reads the secret and retries exactly once with the new key', async (status) => {
    upstream.answerWith(ok(1), { status, body: '{}' }, ok(5));
    const client = await createClient();
    await client.getNumber(); // caches the old key
    source.set(NAME, NEW_KEY); // rotated in the vault

    await expect(client.getNumber()).resolves.toBe(5);
    expect(upstream.requests.map((r) => r.headers['x-functions-key'])).toEqual([OLD_KEY, OLD_KEY, NEW_KEY]);
    expect(source.reads).toBe(2);
  });

  it('does not retry when the secret still holds the rejected key', async () => {
    upstream.answerWith({ status: 401, body: '{}' });
    const client = await createClient();
    await expect(client.getNumber()).rejects.toMatchObject({ code: 'THIRD_PARTY_KEY_REJECTED', status: 502 });
    expect(upstream.requests).toHaveLength(1);
    expect(source.reads).toBe(2);
  });

  it('gives up after one retry when the new key is rejected too', async () => {
    upstream.answerWith({ status: 401, body: '{}' });
    const client = await createClient();
    await client.getNumber().catch(() => undefined);
    source.set(NAME, NEW_KEY);
    upstream.requests.length = 0;
    await expect(client.getNumber()).rejects.toMatchObject({ code: 'THIRD_PARTY_KEY_REJECTED' });
    expect(upstream.requests.map((r) => r.headers['x-functions-key'])).toEqual([OLD_KEY, NEW_KEY]);
  });

  it('warns once that the cached key was rejected, naming the status and the secret, never the key', async () => {
    upstream.answerWith(ok(1), { status: 403, body: '{}' }, ok(5));
    const client = await createClient();
    await client.getNumber(); // caches the old key
    source.set(NAME, NEW_KEY);
    await expect(client.getNumber()).resolves.toBe(5);
    const warnings = logs.lines.filter((line) => line.startsWith('warn'));
    expect(warnings).toEqual([
      expect.stringMatching(/^warn \[ThirdPartyClient\] Third-party API rejected the cached key/),
    ]);
    expect(warnings[0]).toContain('HTTP 403');
    expect(warnings[0]).toContain(`"${NAME}"`);
    expect(warnings.join('\n')).not.toMatch(new RegExp(`${OLD_KEY}|${NEW_KEY}`));
  });

  it('tells the operator which secret holds the rejected key and where to put the current one', async () => {
    upstream.answerWith({ status: 401, body: '{}' });
    const client = await createClient();
    const hintOf = (error: unknown) => (error as { hint: string }).hint;
    const stale = hintOf(await client.getNumber().catch((error: unknown) => error));
    expect(stale).toContain(`HTTP 401 to the key in secret "${NAME}"`);
    expect(stale).toContain('(the secret still holds the rejected key)');
    expect(stale).toContain('put the current key in the fake secret source');
    source.set(NAME, NEW_KEY);
    const fresh = hintOf(await client.getNumber().catch((error: unknown) => error));
    expect(fresh).toContain('(the freshly read key was rejected too)');
  });

  it('maps a 5xx to THIRD_PARTY_ERROR (502)', async () => {
    upstream.answerWith({ status: 500, body: 'boom' });
    const endpoint = await upstream.start();
    const client = await createClient(endpoint);
    await expect(client.getNumber()).rejects.toMatchObject({
      code: 'THIRD_PARTY_ERROR',
      status: 502,
      hint: expect.stringContaining(`${endpoint} answered HTTP 500`) as string,
    });
    expect(upstream.requests).toHaveLength(1);
  });

  it('maps any 3xx, even with a value, to THIRD_PARTY_ERROR', async () => {
    upstream.answerWith({ status: 300, body: JSON.stringify({ value: 3 }) }, ok(4));
    const client = await createClient();
    await expect(client.getNumber()).rejects.toMatchObject({ code: 'THIRD_PARTY_ERROR' });
    await expect(client.getNumber()).resolves.toBe(4);
  });

  it('passes on a Retry-After above the limit in whole seconds, rounded up; one at the limit is an ordinary failure', async () => {
    upstream.answerWith(
      { status: 503, headers: { 'retry-after': '1.2' } },
      { status: 503, headers: { 'retry-after': '1' } },
    );
    const client = await createThirdPartyClient(await upstream.start(), source, logs, { retryAfterLimitMs: 1_000 });
    await expect(client.getNumber()).rejects.toMatchObject({
      code: 'THIRD_PARTY_THROTTLED',
      retryAfterSeconds: 2,
      hint: expect.stringMatching(/answered HTTP 503 with Retry-After 2 s: passed on/) as string,
    });
    await expect(client.getNumber()).rejects.toMatchObject({ code: 'THIRD_PARTY_ERROR' });
  });

  it.each([
    ['not JSON', 'value=4'],
    ['no value', '{}'],
    ['a string value', '{"value": "12"}'],
    ['a fraction', '{"value": 1.5}'],
    ['null', 'null'],
    ['an array', '[1]'],
  ])('maps a body with %s to THIRD_PARTY_BAD_RESPONSE (502)', async (_case, body) => {
    upstream.answerWith({ status: 200, body });
    const client = await createClient();
    await expect(client.getNumber()).rejects.toMatchObject({
      code: 'THIRD_PARTY_BAD_RESPONSE',
      status: 502,
      hint: expect.stringMatching(/answered HTTP 200 without an integer "value"/) as string,
    });
  });

  it('maps a call that outlives the timeout to THIRD_PARTY_TIMEOUT (504)', async () => {
    upstream.answerWith('hang');
    const client = await createClient(undefined, 200);
    const started = Date.now();
    await expect(client.getNumber()).rejects.toMatchObject({
      code: 'THIRD_PARTY_TIMEOUT',
      status: 504,
      hint: expect.stringContaining('did not answer within 200 ms') as string,
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("maps the network's own timeout (ETIMEDOUT) to THIRD_PARTY_TIMEOUT (504)", async () => {
    const adapter = () => Promise.reject(new AxiosError('connect ETIMEDOUT 192.0.2.1:443', 'ETIMEDOUT'));
    const client = await createThirdPartyClient('https://192.0.2.1/api', source, logs, {}, { adapter });
    await expect(client.getNumber()).rejects.toMatchObject({ code: 'THIRD_PARTY_TIMEOUT', status: 504 });
  });

  it('maps a refused connection to THIRD_PARTY_UNREACHABLE (502)', async () => {
    const closed = new ScriptedHttpServer();
    const endpoint = await closed.start();
    await closed.stop();
    const client = await createClient(endpoint);
    await expect(client.getNumber()).rejects.toMatchObject({
      code: 'THIRD_PARTY_UNREACHABLE',
      status: 502,
      hint: expect.stringMatching(/could not be reached \(ECONNREFUSED\); check THIRD_PARTY_API_ENDPOINT/) as string,
    });
  });

  it('names a failure without an error code by its type', async () => {
    const adapter = () => Promise.reject(new TypeError('not a network failure'));
    const client = await createThirdPartyClient('https://192.0.2.1/api', source, logs, {}, { adapter });
    await expect(client.getNumber()).rejects.toMatchObject({
      hint: expect.stringContaining('reached (TypeError)') as string,
    });
  });

  it('does not follow a redirect, so the key never goes to another URL', async () => {
    const elsewhere = new ScriptedHttpServer();
    const target = await elsewhere.start();
    upstream.answerWith({ status: 302, headers: { location: target } });
    const client = await createClient();
    await expect(client.getNumber()).rejects.toMatchObject({ code: 'THIRD_PARTY_ERROR' });
    expect(elsewhere.requests).toHaveLength(0);
    await elsewhere.stop();
  });

  it('closes its kept-alive connections when the module is destroyed', async () => {
    const client = await createClient();
    await client.getNumber();
    expect(await upstream.connections()).toBe(1);
    client.onModuleDestroy();
    await eventually(async () => (await upstream.connections()) === 0, 2_000);
  });

  it('is destroyed without fault when its axios has no agents of its own', async () => {
    const bare = { httpAgent: undefined, httpsAgent: undefined };
    const client = await createThirdPartyClient(await upstream.start(), source, logs, {}, bare);
    await expect(client.getNumber()).resolves.toBe(1);
    expect(() => client.onModuleDestroy()).not.toThrow();
  });

  it('keeps the key out of errors and logs on every failure path', async () => {
    const client = await createClient(undefined, 200);
    const errors: unknown[] = [];
    for (const answer of [{ status: 401 }, { status: 500 }, { status: 200, body: 'x' }, 'hang'] as const) {
      upstream.answerWith(answer);
      errors.push(await client.getNumber().catch((error: unknown) => error));
    }
    const seen = [...errors.map((e) => JSON.stringify(e, Object.getOwnPropertyNames(e))), logs.text()].join('\n');
    expect(errors).toHaveLength(4);
    expect(seen).toContain('THIRD_PARTY');
    expect(seen).not.toContain(OLD_KEY);
  });
});
