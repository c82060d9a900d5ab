import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mintJwt } from './jwt.js';

export const TEST_TENANT_ID = '72f988bf-0000-4000-8000-00000000e2e0';
const SYSTEM_CLIENT_ID = '0b8d3f4a-0000-4000-8000-00000000a001';

export interface TokenRequest {
  resource: string;
  clientId?: string;
  apiVersion?: string;
}

/** A token the endpoint answered with, as `onToken` sees it before the caller does. */
export interface IssuedToken {
  resource: string;
  clientId?: string;
  /** The token's `oid` claim: the Redis ACL user name for Entra authentication. */
  oid: string;
  token: string;
  /** Seconds since the epoch. */
  expiresOn: number;
}

/**
 * The App Service managed identity endpoint (IDENTITY_ENDPOINT +
 * IDENTITY_HEADER, api-version 2019-08-01), as @azure/identity and MSAL call
 * it: `GET {endpoint}?api-version=2019-08-01&resource=<resource>[&client_id=..]`
 * with header `X-IDENTITY-HEADER`. Issues Entra-shaped JWTs for a fixed tenant;
 * each identity (client id) has one object id (`oid`) in all its tokens.
 */
export class ManagedIdentityEndpoint {
  readonly header = randomUUID();
  readonly requests: TokenRequest[] = [];
  /** When set, every request gets this status instead of a token. */
  failWith?: number;
  /**
   * Lifetime of the tokens issued from now on. @azure/identity's managed
   * identity credential (MSAL Node 7) serves a cached token until 300 s before
   * it expires (DEFAULT_TOKEN_RENEWAL_OFFSET_SEC; not settable for managed
   * identity) and refreshes ahead (`refresh_in`, half the lifetime) only for
   * lifetimes over 2 h. So a token living under 300 s is never served from the
   * cache: every getToken call comes here and gets a new token.
   */
  tokenLifetimeSeconds = 3600;
  /** Tokens for a resource in this map carry this `oid` instead of the identity's: a token for the wrong user. */
  readonly objectIdOverrides = new Map<string, string>();
  /**
   * Called with each token the endpoint answers with, before it answers (a
   * returned promise is awaited, so a Redis ACL user can accept the token
   * before the caller holds it). A rejection answers 500 instead.
   */
  onToken?: (issued: IssuedToken) => void | Promise<void>;
  private readonly server: Server = createServer((req, res) => void this.handle(req, res));
  private url = '';
  private port = 0;

  /** Listens on a free port, or again on the same one after `stop()` (the endpoint coming back). */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/msi/token`;
    return this.url;
  }

  /** What the app's environment must hold for DefaultAzureCredential to use this endpoint. */
  get environment(): Record<string, string> {
    return { IDENTITY_ENDPOINT: this.url, IDENTITY_HEADER: this.header };
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  requestsFor(resource: string): TokenRequest[] {
    return this.requests.filter((request) => request.resource === resource);
  }

  /** The object id (`oid`) in every token of the identity with this client id (by default the system-assigned one). */
  objectIdFor(clientId = SYSTEM_CLIENT_ID): string {
    const hex = createHash('sha256').update(`oid:${clientId}`).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  /** A token as this endpoint issues it, e.g. for a test's own Azure clients (`onToken` is not called). */
  mint(resource: string, clientId = SYSTEM_CLIENT_ID): { token: string; expiresOn: number; oid: string } {
    const now = Math.floor(Date.now() / 1000);
    const expiresOn = now + this.tokenLifetimeSeconds;
    const oid = this.objectIdOverrides.get(resource) ?? this.objectIdFor(clientId);
    const token = mintJwt({
      aud: resource,
      iss: `https://sts.windows.net/${TEST_TENANT_ID}/`,
      tid: TEST_TENANT_ID,
      oid,
      uti: randomUUID(),
      appid: clientId,
      idtyp: 'app',
      xms_mirid:
        clientId === SYSTEM_CLIENT_ID
          ? '/subscriptions/0000/resourcegroups/rg-e2e/providers/Microsoft.Web/sites/app-e2e'
          : '/subscriptions/0000/resourcegroups/rg-e2e/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-e2e',
      iat: now,
      nbf: now,
      exp: expiresOn,
    });
    return { token, expiresOn, oid };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const resource = url.searchParams.get('resource') ?? '';
    const clientId = url.searchParams.get('client_id') ?? undefined;
    this.requests.push({ resource, clientId, apiVersion: url.searchParams.get('api-version') ?? undefined });
    if (req.headers['x-identity-header'] !== this.header) {
      return send(res, 401, { error: 'invalid_request', error_description: 'X-IDENTITY-HEADER is missing or wrong' });
    }
    if (this.failWith) {
      return send(res, this.failWith, { error: 'service_unavailable', error_description: 'test double told to fail' });
    }
    if (!resource) {
      return send(res, 400, { error: 'invalid_request', error_description: 'resource is required' });
    }
    const issued: IssuedToken = { resource, clientId, ...this.mint(resource, clientId) };
    try {
      await this.onToken?.(issued);
    } catch {
      return send(res, 500, { error: 'server_error', error_description: 'onToken failed' });
    }
    const { token, expiresOn } = issued;
    send(res, 200, {
      access_token: token,
      expires_on: String(expiresOn),
      resource,
      token_type: 'Bearer',
      client_id: clientId ?? SYSTEM_CLIENT_ID,
    });
  }
}

function send(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
