import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { LocalStack } from '../support/local-stack.js';
import type { TestApp } from '../support/test-app.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The bytes as sent, still compressed if they were. */
  body: Buffer;
}

/** A GET that sends exactly the given headers and does not decompress what comes back. */
function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function decoded({ headers, body }: RawAnswer): string {
  const encoding = headers['content-encoding'];
  const bytes = encoding === 'br' ? brotliDecompressSync(body) : encoding === 'gzip' ? gunzipSync(body) : body;
  return bytes.toString('utf8');
}

const CHROME = { 'accept-encoding': 'gzip, deflate, br, zstd' };
const GZIP_ONLY = { 'accept-encoding': 'gzip' };
const SWAGGER_UI = ['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js'];

/** The docs page, the OpenAPI document and the home page as a browser gets them: compressed, cached, revalidated. */
describe('docs and home page delivery', () => {
  let stack: LocalStack;
  let target: TestApp;
  let port: number;
  let assets: string[];

  beforeAll(async () => {
    stack = await LocalStack.start();
    target = await stack.app();
    await new Promise<void>((resolve) => target.server.listen(0, '127.0.0.1', resolve));
    port = (target.server.address() as AddressInfo).port;
    const page = decoded(await rawGet(port, '/docs'));
    assets = [...page.matchAll(/(?:href|src)="(\/docs\/[^"]+)"/g)].map((match) => match[1] ?? '');
  });

  afterAll(() => stack.stop());

  it('links only the project stylesheet and script; Swagger UI is served for when the reader asks for it', async () => {
    expect(assets).toEqual(['/docs/docs.css', '/docs/docs.js']);
    for (const url of [...assets, ...SWAGGER_UI]) {
      const res = await rawGet(port, url, CHROME);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers.vary).toMatch(/accept-encoding/i);
    }
  });

  it('sends Brotli to clients that accept it and gzip to gzip-only clients, the same bytes once decoded', async () => {
    for (const url of [...SWAGGER_UI, '/docs-json']) {
      const plain = await rawGet(port, url);
      const br = await rawGet(port, url, CHROME);
      const gzip = await rawGet(port, url, GZIP_ONLY);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(br.headers['content-encoding']).toBe('br');
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(br.body.length).toBeLessThan(plain.body.length / 2);
      expect(decoded(br)).toBe(plain.body.toString('utf8'));
      expect(decoded(gzip)).toBe(plain.body.toString('utf8'));
    }
  });

  it('answers a revalidation of the page or an asset with 304 and no body', async () => {
    for (const url of ['/docs', '/', ...SWAGGER_UI]) {
      const first = await rawGet(port, url, CHROME);
      expect(first.headers['last-modified']).toBeDefined();
      const again = await rawGet(port, url, { ...CHROME, 'if-modified-since': String(first.headers['last-modified']) });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
    }
    expect((await rawGet(port, '/docs')).headers['cache-control']).toBe('no-cache');
    expect((await rawGet(port, '/')).headers['cache-control']).toBe('no-cache');
  });

  it('never passes the API answers through compression, even when the client asks for it', async () => {
    for (const path of ['/api/v1/getcode', '/health/ready', '/api/v1/unknown']) {
      const res = await rawGet(port, path, CHROME);
      expect(res.headers['content-encoding']).toBeUndefined();
      // compression() marks every answer it sees, whatever its size, with Vary: Accept-Encoding.
      expect(res.headers.vary ?? '').not.toMatch(/accept-encoding/i);
    }
  });

  it('serves a home page with a description, an icon that costs no request, compressed', async () => {
    const res = await rawGet(port, '/', CHROME);
    expect(res.headers['content-encoding']).toBe('br');
    const page = decoded(res);
    expect(page).toMatch(/name="description"\s+content="[^"]{50,160}"/);
    expect(page).toMatch(/rel="icon"\s+href="data:image\/svg\+xml,/);
    expect(decoded(await rawGet(port, '/docs', CHROME))).toMatch(/name="viewport"[^>]*>[\s\S]*name="description"/);
  });
});
