import { Inject, Injectable, Logger } from '@nestjs/common';
import { DependencyStatus } from '../common/dependency-status.js';
import { SecretRedaction } from '../common/secret-redaction.js';
import { operatorMessage } from '../common/service-error.js';
import { SECRET_SOURCE, type SecretSource } from './secret-source.js';
import { AppConfig } from '../config/app-config.js';

const MAX_BACKOFF_MS = 5 * 60_000;

interface CachedSecret {
  value?: string;
  refreshAt: number;
  retryAt: number;
  failures: number;
  /** Set by invalidate(): the next read waits for the source instead of serving the cached value. */
  mustRefresh: boolean;
  lastError?: Error;
  inFlight?: Promise<string>;
  status: DependencyStatus;
}

/**
 * Secret values kept in memory: refreshed in the background, one read shared by concurrent readers, the last good
 * value served while a refresh fails (docs/resilience.md). `get()` throws a `ServiceError` only while no value has
 * ever been read. Values are never logged.
 */
@Injectable()
export class SecretsService {
  private readonly logger = new Logger(SecretsService.name);
  private readonly cache = new Map<string, CachedSecret>();
  private readonly policy: AppConfig['policies']['secrets'];

  constructor(
    @Inject(SECRET_SOURCE) private readonly source: SecretSource,
    config: AppConfig,
    private readonly redaction: SecretRedaction,
  ) {
    this.policy = config.policies.secrets;
  }

  get sourceDescription(): string {
    return this.source.description;
  }

  async get(name: string): Promise<string> {
    const entry = this.cache.get(name);
    const now = Date.now();
    if (entry?.value !== undefined && !entry.mustRefresh) {
      if (now >= entry.refreshAt && now >= entry.retryAt) {
        this.fetch(name).catch(() => undefined); // stale-while-revalidate; a failed refresh keeps the value
      }
      return entry.value;
    }
    // Stryker disable next-line ConditionalExpression: a failure is kept only while there is no value
    if (entry?.value === undefined && entry?.lastError !== undefined) {
      // Callers get the last failure at once; after the backoff, the next read runs in the background.
      if (now >= entry.retryAt) {
        this.fetch(name).catch(() => undefined);
      }
      throw entry.lastError;
    }
    return this.fetch(name);
  }

  status(name: string): DependencyStatus {
    return this.entry(name).status;
  }

  /**
   * Forces the next `get(name)` to read from the source; with `rejectedValue`, only while that is still the value,
   * so many requests failing with the same old key share one re-read.
   */
  invalidate(name: string, rejectedValue?: string): void {
    const entry = this.cache.get(name);
    if (!entry || (rejectedValue !== undefined && entry.value !== rejectedValue)) {
      return;
    }
    entry.mustRefresh = true;
    entry.retryAt = 0;
  }

  private entry(name: string): CachedSecret {
    let entry = this.cache.get(name);
    if (!entry) {
      const status = new DependencyStatus(`Secret "${name}" in ${this.source.description}`, this.logger);
      // Stryker disable next-line BooleanLiteral: with no value yet, every read goes to the source either way
      entry = { refreshAt: 0, retryAt: 0, failures: 0, mustRefresh: false, status };
      this.cache.set(name, entry);
    }
    return entry;
  }

  private fetch(name: string): Promise<string> {
    const cached = this.entry(name);
    cached.inFlight ??= this.load(name, cached).finally(() => {
      cached.inFlight = undefined;
    });
    return cached.inFlight;
  }

  private async load(name: string, entry: CachedSecret): Promise<string> {
    try {
      const value = await this.source.read(name);
      this.redaction.add(value);
      entry.status.succeeded();
      if (entry.value !== undefined && entry.value !== value) {
        this.logger.log(`Secret "${name}" has a new value from ${this.source.description}`);
      }
      Object.assign(entry, { value, refreshAt: Date.now() + this.policy.cacheTtlMs, retryAt: 0, failures: 0 });
      Object.assign(entry, { mustRefresh: false, lastError: undefined });
      return value;
    } catch (error) {
      entry.failures++;
      const backoffMs = Math.min(this.policy.refreshBackoffMs * 2 ** (entry.failures - 1), MAX_BACKOFF_MS);
      entry.retryAt = Date.now() + backoffMs;
      if (entry.value === undefined) {
        entry.lastError = error instanceof Error ? error : new Error(String(error));
        entry.status.failed(error);
        throw error;
      }
      entry.mustRefresh = false;
      this.logger.warn(
        `Refreshing secret "${name}" failed; serving the cached value, next attempt in ${backoffMs / 1000} s. ` +
          operatorMessage(error),
      );
      return entry.value;
    }
  }
}
