import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * An Azure Storage queue endpoint whose caller authenticated but lacks a data
 * role: every request with a bearer token gets the 403
 * `AuthorizationPermissionMismatch` answer Azure Storage sends (Azurite's
 * OAuth mode cannot express a missing role). Without a token: 401.
 */
export class StorageAccessDenied {
  requests = 0;
  private readonly server: Server;

  constructor(tls: { cert: string; key: string }) {
    this.server = createServer(tls, (req, res) => {
      this.requests++;
      const authenticated = /^Bearer \S+$/.test(req.headers.authorization ?? '');
      const [status, code, message] = authenticated
        ? [
            403,
            'AuthorizationPermissionMismatch',
            'This request is not authorized to perform this operation using this permission.',
          ]
        : [401, 'NoAuthenticationInformation', 'Server failed to authenticate the request.'];
      res.writeHead(status, {
        'content-type': 'application/xml',
        'x-ms-error-code': code,
        'x-ms-version': '2025-11-05',
      });
      res.end(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}/devstoreaccount1/code-requests`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
