import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { type ApiClient, type ProblemDetails, createApiClient } from '../../clients/typescript/index.js';
import { CODE_PATTERN } from '../../src/codes/code-format.js';
import { decodeMessage } from '../../src/queue/code-message.js';
import { drainQueue } from '../support/azurite.js';
import { LocalStack } from '../support/local-stack.js';
import type { TestApp } from '../support/test-app.js';

/** The in-process app (AppModule + configureApp) on a real port, for callers that speak HTTP. */
async function listening(app: TestApp): Promise<string> {
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

interface HttpFileRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** The requests of a REST Client / JetBrains `.http` file: `@name = value` variables, `###` between requests. */
function parseHttpFile(text: string, overrides: Record<string, string>): HttpFileRequest[] {
  const variables: Record<string, string> = {};
  for (const [, name, value] of text.matchAll(/^@(\w+)\s*=\s*(.+)$/gm)) variables[name!] = value!.trim();
  Object.assign(variables, overrides);
  const expand = (line: string) =>
    line.replace(/\{\{(\w+)\}\}/g, (_, name: string) => variables[name] ?? `{{${name}}}`);
  return text.split(/^###.*$/m).flatMap((block) => {
    const lines = block.split('\n').filter((line) => line.trim() !== '' && !/^\s*(#|\/\/|@)/.test(line));
    const [requestLine, ...headerLines] = lines.map(expand);
    const match = requestLine?.match(/^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\s+(\S+)(\s+HTTP\/[\d.]+)?$/);
    if (!requestLine) return [];
    if (!match) throw new Error(`not a request line: ${requestLine}`);
    const headers = Object.fromEntries(headerLines.map((line) => line.split(/:\s*/, 2) as [string, string]));
    return [{ method: match[1]!, url: match[2]!, headers }];
  });
}

describe('REST callers against the running app', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await LocalStack.start();
  }, 60_000);

  afterAll(() => stack?.stop(), 30_000);

  describe('the generated TypeScript client (clients/typescript)', () => {
    let app: TestApp;
    let api: ApiClient;

    beforeAll(async () => {
      app = await stack.app({ RATE_LIMIT_PER_CLIENT: '1', RATE_LIMIT_GLOBAL: '100' });
      api = createApiClient(await listening(app));
    }, 30_000);

    it('gets a typed code, and the code is the one on the queue', async () => {
      const { data, error, response } = await api.GET('/api/v1/getcode', {
        headers: { 'x-request-id': 'typed-client-1' },
      });
      expect(response.status).toBe(200);
      expect(error).toBeUndefined();
      const code: string = data!.code;
      expect(code).toMatch(CODE_PATTERN);
      expect(new Date(data!.timestamp).toISOString()).toBe(data!.timestamp);
      const messages = (await drainQueue(app.queue)).map((text) => decodeMessage(text));
      expect(messages).toEqual([{ code, timestamp: data!.timestamp, requestId: 'typed-client-1' }]);
    });

    it('reads a 429 through its problem details type, with Retry-After', async () => {
      const { data, error, response } = await api.GET('/api/v1/getcode');
      expect(data).toBeUndefined();
      expect(response.status).toBe(429);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      const problem: ProblemDetails | undefined = error;
      expect(problem).toEqual({
        type: expect.stringMatching(/rate-limited$/) as string,
        title: 'Too Many Requests',
        status: 429,
        detail: expect.any(String) as string,
        instance: '/api/v1/getcode',
        code: 'RATE_LIMITED',
        requestId: response.headers.get('x-request-id'),
      });
    });
  });

  describe('api.http', () => {
    let base: string;
    let requests: HttpFileRequest[];

    beforeAll(async () => {
      base = await listening(await stack.app());
      requests = parseHttpFile(readFileSync('api.http', 'utf8'), { baseUrl: base });
    }, 30_000);

    it('has the calls a person tries first', () => {
      const routes = requests.map(({ method, url }) => `${method} ${url.replace(base, '')}`);
      expect(routes).toEqual(
        expect.arrayContaining(['GET /api/v1/getcode', 'GET /health/live', 'GET /health/ready', 'GET /docs-json']),
      );
    });

    it('targets only routes the app serves, each answering successfully', async () => {
      expect(requests.length).toBeGreaterThan(0);
      for (const { method, url, headers } of requests) {
        expect(url.startsWith(`${base}/`)).toBe(true);
        const res = await fetch(url, { method, headers });
        expect(`${method} ${url} -> ${res.status}`).toBe(`${method} ${url} -> 200`);
      }
    });
  });
});
