import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { TokenTimeoutError } from './credential.errors.js';

/**
 * The app's one credential: wraps `DefaultAzureCredential` so that every
 * token request is bounded in time (a managed identity endpoint that drops
 * packets can otherwise hold a request for minutes), and can say which
 * identity it authenticates as.
 */
export class AppCredential implements TokenCredential {
  constructor(
    private readonly inner: TokenCredential,
    private readonly timeoutMs: number,
  ) {}

  async getToken(scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken | null> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TokenTimeoutError(this.timeoutMs)), this.timeoutMs);
    const callerSignal = options.abortSignal as AbortSignal | undefined;
    const abortSignal = callerSignal ? AbortSignal.any([callerSignal, controller.signal]) : controller.signal;
    const timedOut = new Promise<never>((_resolve, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true });
    });
    try {
      return await Promise.race([this.inner.getToken(scopes, { ...options, abortSignal }), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Gets a token for `scope` and describes who it was issued to, e.g. for a start-up log line. */
  async identityFor(scope: string): Promise<string> {
    const token = await this.getToken(scope);
    return token ? describeTokenIdentity(token.token) : 'an unknown identity';
  }
}

interface IdentityClaims {
  idtyp?: string;
  appid?: string;
  azp?: string;
  oid?: string;
  upn?: string;
  preferred_username?: string;
  unique_name?: string;
  xms_mirid?: string;
}

/**
 * Who a Microsoft Entra access token was issued to, from its claims (not
 * verified: only for logs). Never returns the token itself.
 */
export function describeTokenIdentity(token: string): string {
  let claims: IdentityClaims;
  try {
    claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as IdentityClaims;
  } catch {
    return 'an identity whose token is not a JWT';
  }
  const clientId = claims.appid ?? claims.azp;
  const user = claims.upn ?? claims.preferred_username ?? claims.unique_name;
  if (claims.xms_mirid) {
    const name = claims.xms_mirid.split('/').pop();
    const kind = claims.xms_mirid.includes('/userAssignedIdentities/') ? 'user-assigned' : 'system-assigned';
    return `${kind} managed identity ${name} (client id ${clientId ?? 'unknown'})`;
  }
  if (user) {
    return `user ${user}`;
  }
  return `application ${clientId ?? 'unknown'}${claims.oid ? ` (object id ${claims.oid})` : ''}`;
}
