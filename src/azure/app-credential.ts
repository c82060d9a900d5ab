import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { untilAborted } from '../common/deadline.js';
import { TokenTimeoutError } from './credential.errors.js';

const RETRY_FAILED_SCOPE_MS = 10_000;

interface TokenOutcome {
  ok: boolean;
  at: number;
}

/** What readiness reports for the credential: per scope, whether the last attempt got a token. */
export interface CredentialHealth {
  available: boolean;
  scopes: Record<string, 'token' | 'failed'>;
}

/**
 * The app's one credential: wraps `DefaultAzureCredential` so that every
 * token request is bounded in time (a managed identity endpoint that drops
 * packets can otherwise hold a request for minutes), and can say which
 * identity it authenticates as.
 */
export class AppCredential implements TokenCredential {
  /** Token requests under way, by scope: concurrent callers share one (the SDK's cache only helps afterwards). */
  private readonly inFlight = new Map<string, Promise<AccessToken | null>>();
  /** The last outcome per scope, for readiness. */
  private readonly outcomes = new Map<string, TokenOutcome>();

  constructor(
    private readonly inner: TokenCredential,
    private readonly timeoutMs: number,
  ) {}

  getToken(scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken | null> {
    const shareable = !options.claims && !options.tenantId;
    const key = `${[scopes].flat().join(' ')}|cae=${options.enableCae === true}`;
    let request = shareable ? this.inFlight.get(key) : undefined;
    if (!request) {
      request = this.bounded(scopes, { ...options, abortSignal: undefined });
      if (shareable) {
        this.inFlight.set(key, request);
        void request.finally(() => this.inFlight.delete(key)).catch(() => undefined);
      }
    }
    return untilAborted(request, options.abortSignal as AbortSignal | undefined);
  }

  /**
   * Readiness, from memory only: the last token outcome of every scope asked
   * for so far. A scope whose last attempt failed is retried in the background
   * (at most every 10 s), so readiness recovers by itself.
   */
  health(): CredentialHealth {
    const failed = [...this.outcomes].filter(([, outcome]) => !outcome.ok);
    for (const [scope, outcome] of failed) {
      if (Date.now() - outcome.at > RETRY_FAILED_SCOPE_MS) {
        this.getToken(scope, { enableCae: true }).catch(() => undefined);
      }
    }
    return {
      available: failed.length === 0,
      scopes: Object.fromEntries(
        [...this.outcomes].map(([scope, outcome]) => [scope, outcome.ok ? 'token' : 'failed']),
      ),
    };
  }

  private async bounded(scopes: string | string[], options: GetTokenOptions): Promise<AccessToken | null> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TokenTimeoutError(this.timeoutMs)), this.timeoutMs);
    const scope = [scopes].flat().join(' ');
    try {
      const token = await untilAborted(
        this.inner.getToken(scopes, { ...options, abortSignal: controller.signal }),
        controller.signal,
      );
      this.outcomes.set(scope, { ok: token !== null, at: Date.now() });
      return token;
    } catch (error) {
      this.outcomes.set(scope, { ok: false, at: Date.now() });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Gets a token for `scope` and describes who it was issued to, e.g. for a start-up log line. */
  async identityFor(scope: string): Promise<string> {
    // Same options as the SDK clients' bearer policy, so this token is the one they reuse.
    const token = await this.getToken(scope, { enableCae: true });
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
