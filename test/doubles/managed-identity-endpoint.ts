import { randomUUID } from 'node:crypto';
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

/**
 * The App Service managed identity endpoint (IDENTITY_ENDPOINT +
 * IDENTITY_HEADER, api-version 2019-08-01), as @azure/identity and MSAL call
 * it: `GET {endpoint}?api-version=2019-08-01&resource=<resource>[&client_id=..]`
 * with header `X-IDENTITY-HEADER`. Issues Entra-shaped JWTs for a fixed tenant.
 */
export class ManagedIdentityEndpoint {
  readonly header = randomUUID();
  readonly requests: TokenRequest[] = [];
  /** When set, every request gets this status instead of a token. */
  failWith?: number;
  private readonly server: Server = createServer((req, res) => this.handle(req, res));
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

  /** A token as this endpoint issues it, e.g. for a test's own Azure clients. */
  mint(resource: string, clientId = SYSTEM_CLIENT_ID): { token: string; expiresOn: number } {
    const now = Math.floor(Date.now() / 1000);
    const expiresOn = now + 3600;
    const token = mintJwt({
      aud: resource,
      iss: `https://sts.windows.net/${TEST_TENANT_ID}/`,
      tid: TEST_TENANT_ID,
      oid: randomUUID(),
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
    return { token, expiresOn };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
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
    const { token, expiresOn } = this.mint(resource, clientId);
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
