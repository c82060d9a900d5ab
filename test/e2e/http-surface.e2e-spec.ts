import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { ProblemDetails } from '../../src/common/problem-details.filter.js';
import { LocalStack } from '../support/local-stack.js';
import type { TestApp } from '../support/test-app.js';
import { getCode } from '../support/get-code.js';

/** Sends raw bytes and returns the first line of the answer (or '' if the connection just closed). */
async function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer')));
  });
}

describe('the HTTP surface', () => {
  let stack: LocalStack;
  let target: TestApp;
  let port: number;

  beforeAll(async () => {
    stack = await LocalStack.start();
    target = await stack.app();
    await new Promise<void>((resolve) => target.server.listen(0, '127.0.0.1', resolve));
    port = (target.server.address() as AddressInfo).port;
  });

  afterAll(() => stack.stop());

  it('sends helmet security headers, and no-store on API, health and error answers', async () => {
    for (const path of ['/api/v1/getcode', '/health/ready', '/api/v1/unknown']) {
      const res = await request(target.server).get(path);
      expect(res.headers['cache-control']).toMatch(/no-store/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
    const home = await request(target.server).get('/');
    expect(home.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('answers other methods on the endpoint, HEAD included, with 405 and Allow: GET', async () => {
    for (const method of ['post', 'put', 'delete', 'patch'] as const) {
      const res = await request(target.server)[method]('/api/v1/getcode');
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET');
      expect(res.body as ProblemDetails).toMatchObject({ code: 'METHOD_NOT_ALLOWED', status: 405 });
    }
    const head = await request(target.server).head('/api/v1/getcode');
    expect(head.status).toBe(405);
    expect(head.headers.allow).toBe('GET');
    expect(head.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('refuses a request body over the limit with 413, and malformed JSON with 400', async () => {
    const big = await request(target.server)
      .post('/api/v1/getcode')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ padding: 'x'.repeat(4_096) }));
    expect(big.status).toBe(413);
    expect(big.body as ProblemDetails).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });

    const malformed = await request(target.server)
      .post('/api/v1/getcode')
      .set('content-type', 'application/json')
      .send('{"a":');
    expect(malformed.status).toBe(400);
    expect(malformed.body as ProblemDetails).toMatchObject({ code: 'BAD_REQUEST' });

    // The contract gives every operation these 4xx answers: a probe with a body gets them too.
    const probe = await request(target.server)
      .get('/health/live')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ padding: 'x'.repeat(4_096) }));
    expect(probe.status).toBe(413);
    expect(probe.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers over-long and malformed headers with a 4xx and keeps serving', async () => {
    const huge = await rawRequest(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    const malformed = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n');
    expect(malformed).toBe('HTTP/1.1 400 Bad Request');
    expect((await getCode(target.server)).status).toBe(200);
  });
});
