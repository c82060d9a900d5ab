import request from 'supertest';
import { CODE_PATTERN } from '../../src/codes/code-format.js';
import type { CodeResponseDto } from '../../src/codes/dto/code-response.dto.js';
import type { ProblemDetails } from '../../src/common/problem-details.filter.js';
import { type CodeMessage, decodeMessage } from '../../src/queue/code-message.js';
import { drainQueue } from '../support/azurite.js';
import { LocalStack } from '../support/local-stack.js';
import type { TestApp } from '../support/test-app.js';
import { getCode } from '../support/get-code.js';

describe('GET /api/v1/getcode against real Azurite and the reference API', () => {
  let stack: LocalStack;
  let target: TestApp;
  const seen: string[] = [];

  beforeAll(async () => {
    stack = await LocalStack.start();
    target = await stack.app();
  });

  afterAll(() => stack.stop());

  const queue = () => target.queue;

  /** A getcode call whose answer is kept, to look for the key in later. */
  async function getCodeSeen(requestId?: string) {
    const res = await getCode(target.server, requestId ? { 'x-request-id': requestId } : {});
    seen.push(res.text);
    return res;
  }

  it('answers a well-formed code and puts exactly one message carrying it on the queue', async () => {
    const res = await getCodeSeen('e2e-first');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.body as CodeResponseDto;
    expect(Object.keys(body).sort()).toEqual(['code', 'timestamp']);
    expect(body.code).toMatch(CODE_PATTERN);
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);

    const messages = await drainQueue(queue());
    expect(messages.map((text) => decodeMessage(text))).toEqual([{ ...body, requestId: 'e2e-first' }]);
  });

  it('records one message per answered code under concurrent load', async () => {
    const responses = await Promise.all(Array.from({ length: 30 }, () => getCodeSeen()));
    expect(responses.map((res) => res.status)).toEqual(Array(30).fill(200));

    const messages = (await drainQueue(queue())).map((text) => decodeMessage(text));
    const expected: CodeMessage[] = responses.map((res) => ({
      ...(res.body as CodeResponseDto),
      requestId: res.headers['x-request-id'] as string,
    }));
    const byCode = (a: CodeMessage, b: CodeMessage) => a.code.localeCompare(b.code);
    expect(messages.sort(byCode)).toEqual(expected.sort(byCode));
  });

  it('answers 502 problem+json and records nothing when the third party rejects the key', async () => {
    stack.referenceApi.setKeys(['some-other-key']);
    try {
      const res = await getCodeSeen();
      expect(res.status).toBe(502);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body as ProblemDetails).toMatchObject({ code: 'THIRD_PARTY_KEY_REJECTED', status: 502 });
      expect(res.body).not.toHaveProperty('timestamp');
      expect(await drainQueue(queue())).toEqual([]);
      expect(target.logs.entries().map((entry) => entry.msg)).toContainEqual(
        expect.stringMatching(/THIRD_PARTY_KEY_REJECTED: Third-party API answered HTTP 401/),
      );
    } finally {
      stack.referenceApi.setKeys([stack.key]);
    }
    expect((await getCodeSeen()).status).toBe(200);
  });

  it('serves the home page, which links to the endpoint', async () => {
    const res = await request(target.server).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('href="/api/v1/getcode"');
  });

  it('answers unknown routes and wrong methods with problem+json', async () => {
    const unknown = await request(target.server).get('/api/v1/nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.body as ProblemDetails).toMatchObject({ code: 'NOT_FOUND', instance: '/api/v1/nothing' });
    const post = await request(target.server).post('/api/v1/getcode');
    expect(post.status).toBe(405);
    expect(post.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(post.body as ProblemDetails).toMatchObject({ code: 'METHOD_NOT_ALLOWED', instance: '/api/v1/getcode' });
  });

  it('never lets the key reach a log line, a response or a queue message', async () => {
    await getCodeSeen();
    stack.referenceApi.setKeys(['rotated-away']);
    await getCodeSeen();
    stack.referenceApi.setKeys([stack.key]);
    const messages = await drainQueue(queue());
    expect(target.logs.lines.length).toBeGreaterThan(5);
    expect(messages.length).toBeGreaterThan(0);
    const everything = [target.logs.text(), ...seen, ...messages, ...messages.map((m) => decodeMessage(m).code)];
    for (const text of everything) {
      expect(text).not.toContain(stack.key);
    }
  });
});
