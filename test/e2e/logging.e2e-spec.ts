import request from 'supertest';
import type { CodeResponseDto } from '../../src/codes/dto/code-response.dto.js';
import { decodeMessage } from '../../src/queue/code-message.js';
import { drainQueue } from '../support/azurite.js';
import { LocalStack } from '../support/local-stack.js';
import type { TestApp } from '../support/test-app.js';
import { getCode } from '../support/get-code.js';

describe('structured logs', () => {
  let stack: LocalStack;
  let target: TestApp;

  beforeAll(async () => {
    stack = await LocalStack.start();
    target = await stack.app();
  });

  afterAll(() => stack.stop());

  const linesOf = (reqId: string) => target.logs.entries().filter((entry) => entry.reqId === reqId);

  it('writes one access-log line per request: method, path, status, duration', async () => {
    const res = await request(target.server).get('/api/v1/getcode?x=1').set('x-request-id', 'access-1');
    expect(res.status).toBe(200);
    const access = linesOf('access-1').filter((entry) => entry.res !== undefined);
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      level: 'info',
      msg: expect.stringMatching(/^GET \/api\/v1\/getcode\?x=1 200 \d+ ms$/) as string,
      req: { method: 'GET', url: '/api/v1/getcode?x=1' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number) as number,
    });
  });

  it('reuses a well-formed x-request-id everywhere: response, every log line, queue message', async () => {
    stack.referenceApi.setKeys(['other-key-1234']);
    const failed = await getCode(target.server).set('x-request-id', 'trace-42.a:b_c');
    stack.referenceApi.setKeys([stack.key]);
    expect(failed.headers['x-request-id']).toBe('trace-42.a:b_c');
    const lines = linesOf('trace-42.a:b_c');
    expect(lines.map((entry) => entry.context ?? 'access')).toEqual(['Errors', 'access']);
    expect(lines.map((entry) => entry.level)).toEqual(['error', 'error']); // a 502 is logged as an error

    const ok = await getCode(target.server).set('x-request-id', 'trace-43');
    expect(ok.status).toBe(200);
    const messages = (await drainQueue(target.queue)).map((text) => decodeMessage(text));
    expect(messages.filter((message) => message.requestId === 'trace-43')).toEqual([
      { ...(ok.body as CodeResponseDto), requestId: 'trace-43' },
    ]);
  });

  it('replaces an ill-formed or over-long request id', async () => {
    for (const bad of ['has space', 'x'.repeat(129), 'quote"s', '']) {
      const res = await request(target.server).get('/').set('x-request-id', bad);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('keeps credentials in headers out of the logs', async () => {
    await request(target.server)
      .get('/api/v1/getcode')
      .set('authorization', 'Bearer header-token-zz9')
      .set('x-functions-key', 'header-key-zz9')
      .set('cookie', 'session=cookie-zz9');
    expect(target.logs.text()).not.toMatch(/zz9/);
  });

  it('has the configured key in no log line, across success and error paths', async () => {
    stack.referenceApi.setKeys(['rotated-elsewhere']);
    await getCode(target.server);
    stack.referenceApi.setKeys([stack.key]);
    await getCode(target.server);
    await request(target.server).get('/nope');
    expect(target.logs.lines.length).toBeGreaterThan(10);
    expect(target.logs.text()).not.toContain(stack.key);
  });
});
