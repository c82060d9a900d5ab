import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios, { type AxiosInstance, isCancel } from 'axios';
import { Agent } from 'undici';
import { undiciAdapter } from './undici-adapter.js';

describe('undiciAdapter', () => {
  let server: Server;
  let base: string;
  let agent: Agent;
  let http: AxiosInstance;
  const seen: Record<string, string | string[] | undefined>[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      if (req.url === '/slow') {
        setTimeout(() => res.end('{"value": 1}'), 500);
      } else if (req.url === '/big') {
        res.end('x'.repeat(2_000));
      } else if (req.url === '/moved') {
        res.writeHead(302, { location: '/elsewhere' }).end();
      } else {
        res.writeHead(503, { 'retry-after': '2', 'content-type': 'application/json' }).end('{"value": 7}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    agent = new Agent();
    http = axios.create({
      adapter: undiciAdapter(agent),
      timeout: 200,
      maxContentLength: 1_000,
      maxRedirects: 0,
      responseType: 'text',
      validateStatus: () => true,
    });
  });

  afterAll(async () => {
    await agent.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers with the status, headers and body as text, sending the request headers', async () => {
    const response = await http.get<string>(`${base}/any?x=1`, { headers: { 'x-functions-key': 'k-1' } });
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('2');
    expect(response.data).toBe('{"value": 7}');
    expect(seen.at(-1)?.['x-functions-key']).toBe('k-1');
  });

  it('does not follow a redirect (the key must not travel to another URL)', async () => {
    const response = await http.get(`${base}/moved`);
    expect(response.status).toBe(302);
    expect(seen).toHaveLength(2);
  });

  it('fails with ETIMEDOUT past the timeout, ECONNREFUSED when nothing listens, and a cancel when aborted', async () => {
    await expect(http.get(`${base}/slow`)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    await expect(http.get('http://127.0.0.1:1/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const aborted = http.get(`${base}/slow`, { signal: AbortSignal.timeout(20) });
    expect(isCancel(await aborted.catch((error: unknown) => error))).toBe(true);
  });

  it('refuses an answer longer than maxContentLength', async () => {
    await expect(http.get(`${base}/big`)).rejects.toMatchObject({ code: 'ERR_BAD_RESPONSE' });
  });

  it('applies validateStatus', async () => {
    await expect(http.get(`${base}/any`, { validateStatus: (status) => status < 500 })).rejects.toMatchObject({
      code: 'ERR_BAD_RESPONSE',
      response: { status: 503 },
    });
  });
});
