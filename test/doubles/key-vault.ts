import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from './jwt.js';
import { TEST_TENANT_ID } from './managed-identity-endpoint.js';

const VAULT_RESOURCE = 'https://vault.azure.net';

/**
 * Azure Key Vault's secrets API over HTTPS, enough for `SecretClient.getSecret`:
 * the 401 challenge of challenge-based authentication, audience checks on
 * bearer tokens, the real secret JSON shape, 404 SecretNotFound, and 403
 * Forbidden on demand. Counts what it served.
 */
export class KeyVaultDouble {
  readonly stats = { secretReads: 0, challenges: 0, rejectedTokens: 0, forbidden: 0, notFound: 0, failed: 0 };
  /** When true, authenticated reads get 403 Forbidden (the identity lacks a role). */
  forbidden = false;
  /** When set, authenticated reads get this answer instead (503 ServiceUnavailable, 429 Throttled...), or none. */
  failWith?: { status: number; headers?: Record<string, string> } | 'hang';
  private port = 0;
  private readonly secrets = new Map<string, { value: string; version: string; updated: number }>();
  private readonly server: Server;

  constructor(
    readonly vaultUrl: string,
    tls: { cert: string; key: string },
  ) {
    this.server = createServer(tls, (req, res) => this.handle(req, res));
  }

  /** Listens on a free port, or again on the same one after `stop()` (the vault coming back). */
  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Sets a secret; setting it again is a rotation (a new version). */
  setSecret(name: string, value: string): void {
    this.secrets.set(name, { value, version: randomBytes(16).toString('hex'), updated: Math.floor(Date.now() / 1000) });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.vaultUrl);
    const match = /^\/secrets\/([0-9a-zA-Z-]+)(?:\/([0-9a-f]*))?\/?$/.exec(url.pathname);
    if (req.method !== 'GET' || !match || !url.searchParams.get('api-version')) {
      return error(res, 400, 'BadParameter', 'Only GET /secrets/{name}[/{version}]?api-version=... is served here');
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) {
      this.stats.challenges++;
      res.setHeader(
        'WWW-Authenticate',
        `Bearer authorization="https://login.microsoftonline.com/${TEST_TENANT_ID}", resource="${VAULT_RESOURCE}"`,
      );
      return error(res, 401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.');
    }
    const claims = decodeJwt(token);
    const audienceOk = claims?.aud === VAULT_RESOURCE || claims?.aud === `${VAULT_RESOURCE}/`;
    if (!audienceOk || (claims?.exp ?? 0) * 1000 < Date.now()) {
      this.stats.rejectedTokens++;
      return error(res, 401, 'Unauthorized', 'AKV10022: Invalid audience or expired token.');
    }
    if (this.forbidden) {
      this.stats.forbidden++;
      return error(res, 403, 'Forbidden', 'Caller is not authorized to perform action on resource.');
    }
    if (this.failWith) {
      this.stats.failed++;
      if (this.failWith === 'hang') {
        return;
      }
      for (const [name, value] of Object.entries(this.failWith.headers ?? {})) {
        res.setHeader(name, value);
      }
      const code = this.failWith.status === 429 ? 'Throttled' : 'ServiceUnavailable';
      return error(res, this.failWith.status, code, 'The Key Vault double was told to fail.');
    }
    this.serveSecret(res, match[1] ?? '', match[2] || undefined);
  }

  private serveSecret(res: ServerResponse, name: string, version: string | undefined): void {
    const secret = this.secrets.get(name);
    if (!secret || (version !== undefined && version !== secret.version)) {
      this.stats.notFound++;
      return error(res, 404, 'SecretNotFound', `A secret with (name/id) ${name} was not found in this key vault.`);
    }
    this.stats.secretReads++;
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(
      JSON.stringify({
        value: secret.value,
        id: new URL(`secrets/${name}/${secret.version}`, this.vaultUrl).href,
        attributes: {
          enabled: true,
          created: secret.updated,
          updated: secret.updated,
          recoveryLevel: 'Recoverable+Purgeable',
          recoverableDays: 90,
        },
        tags: {},
      }),
    );
  }
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ error: { code, message } }));
}
