import { type AccessToken, DefaultAzureCredential, type GetTokenOptions, type TokenCredential } from '@azure/identity';
import { Logger } from '@nestjs/common';
import { untilAborted } from '../common/deadline.js';
import { DependencyStatus } from '../common/dependency-status.js';
import type { AppConfig } from '../config/app-config.js';
import {
  AzureCredentialError,
  CREDENTIAL_DETAIL,
  credentialFix,
  firstLine,
  TokenTimeoutError,
} from './credential.errors.js';
import { describeTokenIdentity } from './token-identity.js';

export const KEY_VAULT_SCOPE = 'https://vault.azure.net/.default';
export const STORAGE_SCOPE = 'https://storage.azure.com/.default';
export const REDIS_SCOPE = 'https://redis.azure.com/.default';
export const MONITOR_SCOPE = 'https://monitor.azure.com/.default';

interface ScopeState {
  status: DependencyStatus;
  identity?: string;
}

/**
 * The app's one credential, given to every Azure client: each token request is bounded in time, and each scope's
 * last outcome (and who its token names) is kept for readiness and the start-up lines.
 */
export class AppCredential implements TokenCredential {
  private readonly logger = new Logger(AppCredential.name);
  private readonly states = new Map<string, ScopeState>();

  constructor(
    private readonly inner: TokenCredential,
    private readonly timeoutMs: number,
    private readonly fix: string,
  ) {}

  async getToken(scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken | null> {
    const state = this.stateOf([scopes].flat().join(' '));
    const bound = AbortSignal.timeout(this.timeoutMs);
    const caller = options.abortSignal as AbortSignal | undefined;
    const signal = caller ? AbortSignal.any([caller, bound]) : bound;
    try {
      const token = await untilAborted(this.inner.getToken(scopes, { ...options, abortSignal: signal }), signal);
      state.identity = token ? describeTokenIdentity(token.token) : undefined;
      state.status.succeeded();
      return token;
    } catch (error) {
      if (caller?.aborted) {
        throw error;
      }
      const failure = bound.aborted ? new TokenTimeoutError(this.timeoutMs) : error;
      state.status.failed(this.explain('', failure));
      throw failure;
    }
  }

  get scopes(): ReadonlyMap<string, ScopeState> {
    return this.states;
  }

  identityFor(scope: string): string | undefined {
    return this.states.get(scope)?.identity;
  }

  /** A credential failure for `target` (e.g. "Key Vault https://..."), with what was tried and what to fix. */
  explain(target: string, error: unknown): AzureCredentialError {
    const name = error instanceof Error ? error.name : 'unknown error';
    const forTarget = target ? ` for ${target}` : '';
    return new AzureCredentialError(
      CREDENTIAL_DETAIL,
      `No Microsoft Entra token${forTarget} (${name}: ${firstLine(error)}). ${this.fix}`,
    );
  }

  private stateOf(scope: string): ScopeState {
    let state = this.states.get(scope);
    if (!state) {
      state = { status: new DependencyStatus(`Microsoft Entra token for ${scope}`, this.logger) };
      this.states.set(scope, state);
    }
    return state;
  }
}

const credentials = new WeakMap<AppConfig, AppCredential>();

/**
 * The one credential of `config`: the managed identity on App Service, the developer's sign-in locally
 * (`AZURE_TOKEN_CREDENTIALS` narrows it). Telemetry, started before Nest, and every Azure client get this instance.
 */
export function appCredentialFor(config: AppConfig): AppCredential {
  let credential = credentials.get(config);
  if (!credential) {
    const clientId = config.env.AZURE_CLIENT_ID;
    const inner = new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
    credential = new AppCredential(inner, config.policies.tokenTimeoutMs, credentialFix(config));
    credentials.set(config, credential);
  }
  return credential;
}
