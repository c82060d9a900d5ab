/**
 * Reference third-party API: the counterpart of the Azure sample's
 * `RandomNumber` Azure Function. Its own process; the app never imports it.
 *
 *   GET /api/RandomNumber   header x-functions-key: <key>   ->  200 {"value": 1..1000}
 *
 * Keys come from REFERENCE_API_KEYS (comma-separated, so a rotation can
 * overlap); any other key gets 401. An unresolved App Service Key Vault
 * reference stops it at start-up. Run: `node reference-api/main.ts`.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const RANDOM_NUMBER_PATH = '/api/RandomNumber';

export class ReferenceApi {
  private keys: Buffer[] = [];
  private readonly server: Server;
  /** Requests served, for tests: total and with a valid key. */
  readonly stats = { requests: 0, accepted: 0 };

  constructor(keys: readonly string[]) {
    this.setKeys(keys);
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 65_000;
  }

  /** Replaces the accepted keys: the rotation knob. */
  setKeys(keys: readonly string[]): void {
    this.keys = keys.filter((key) => key !== '').map((key) => Buffer.from(key));
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, resolve);
    });
    const address = this.server.address() as AddressInfo;
    return `http://${host}:${address.port}${RANDOM_NUMBER_PATH}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.stats.requests++;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== RANDOM_NUMBER_PATH) {
      return send(res, 404, { error: 'not found' });
    }
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      return send(res, 405, { error: 'method not allowed' });
    }
    if (!this.isKnownKey(req.headers['x-functions-key'])) {
      return send(res, 401, { error: 'missing or invalid x-functions-key' });
    }
    this.stats.accepted++;
    send(res, 200, { value: randomInt(1, 1001) });
  }

  private isKnownKey(header: string | string[] | undefined): boolean {
    if (typeof header !== 'string') {
      return false;
    }
    const candidate = Buffer.from(header);
    return this.keys.some((key) => key.length === candidate.length && timingSafeEqual(key, candidate));
  }
}

function send(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * Why REFERENCE_API_KEYS cannot be used, or undefined when it can. App Service
 * passes a Key Vault reference it could not resolve (yet: role assignments take
 * minutes) as its literal `@Microsoft.KeyVault(...)` text, which must never
 * become an accepted key.
 */
export function keysProblem(raw: string | undefined): string | undefined {
  const keys = (raw ?? '').split(',').map((key) => key.trim());
  if (!keys.some((key) => key !== '')) {
    return 'REFERENCE_API_KEYS is required: one or more comma-separated access keys.';
  }
  if (keys.some((key) => /^@Microsoft\.KeyVault\(/i.test(key))) {
    return (
      'REFERENCE_API_KEYS is an unresolved Key Vault reference: App Service could not read the secret (yet). ' +
      "Check the site's Key Vault reference status, that its identity has Key Vault Secrets User on the secret " +
      '(new role assignments take a few minutes) and that the secret exists; then restart the site.'
    );
  }
  return undefined;
}

if (import.meta.main) {
  const problem = keysProblem(process.env.REFERENCE_API_KEYS);
  if (problem !== undefined) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
  const keys = (process.env.REFERENCE_API_KEYS ?? '').split(',').map((key) => key.trim());
  const api = new ReferenceApi(keys);
  const url = await api.listen(
    Number(process.env.REFERENCE_API_PORT ?? 7071),
    process.env.REFERENCE_API_HOST ?? '127.0.0.1',
  );
  process.stdout.write(`Reference third-party API listening on ${url}\n`);
  const stop = (): void => void api.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
