import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { Logger } from '@nestjs/common';
import { untilAborted } from '../common/deadline.js';
import { DependencyStatus } from '../common/dependency-status.js';
import { TokenTimeoutError } from './credential.errors.js';

/**
 * The app's one credential, given to every Azure client: every token request
 * is bounded in time, concurrent requests for one scope share a single call
 * to the wrapped credential, and the outcome of each scope's last request is
 * kept for readiness.
 */
export class AppCredential implements TokenCredential {
  private readonly logger = new Logger(AppCredential.name);
  private readonly inFlight = new Map<string, Promise<AccessToken | null>>();
  private readonly statuses = new Map<string, DependencyStatus>();

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

  /** Every scope asked for so far, with the outcome of its last token request. */
  get scopes(): ReadonlyMap<string, DependencyStatus> {
    return this.statuses;
  }

  private async bounded(scopes: string | string[], options: GetTokenOptions): Promise<AccessToken | null> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TokenTimeoutError(this.timeoutMs)), this.timeoutMs);
    const status = this.statusOf([scopes].flat().join(' '));
    try {
      const token = await untilAborted(
        this.inner.getToken(scopes, { ...options, abortSignal: controller.signal }),
        controller.signal,
      );
      status.succeeded();
      return token;
    } catch (error) {
      status.failed(error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private statusOf(scope: string): DependencyStatus {
    let status = this.statuses.get(scope);
    if (!status) {
      status = new DependencyStatus(`Microsoft Entra token for ${scope}`, this.logger);
      this.statuses.set(scope, status);
    }
    return status;
  }
}
