import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { mintJwt } from './jwt.js';

/**
 * A `TokenCredential` that hands out Entra-shaped JWTs for a fixed identity,
 * fails, or never answers; records the scopes and options it was called with.
 */
export class StaticTokenCredential implements TokenCredential {
  readonly calls: { scopes: string | string[]; options?: GetTokenOptions }[] = [];
  failure?: Error;
  hang = false;

  constructor(private readonly claims: Record<string, string> = { appid: 'test-app', idtyp: 'app' }) {}

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    this.calls.push({ scopes, options });
    if (this.hang) {
      return new Promise(() => undefined);
    }
    if (this.failure) {
      return Promise.reject(this.failure);
    }
    const now = Math.floor(Date.now() / 1000);
    const scope = Array.isArray(scopes) ? (scopes[0] ?? '') : scopes;
    const token = mintJwt({
      aud: scope.replace(/\/\.default$/, ''),
      iss: 'https://sts.windows.net/test-tenant/',
      tid: 'test-tenant',
      oid: 'test-object',
      appid: 'test-app',
      idtyp: 'app',
      iat: now,
      nbf: now,
      exp: now + 3600,
      ...this.claims,
    });
    return Promise.resolve({ token, expiresOnTimestamp: (now + 3600) * 1000 });
  }
}
