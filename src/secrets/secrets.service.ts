import { Inject, Injectable, Logger } from '@nestjs/common';
import { DependencyStatus } from '../common/dependency-status.js';
import { SecretRedaction } from '../common/secret-redaction.js';
import { operatorMessage } from '../common/service-error.js';
import { SECRET_SOURCE, type SecretSource } from './secret-source.js';
import { AppConfig } from '../config/app-config.js';

/** The longest wait between attempts while the source keeps failing. */
const MAX_BACKOFF_MS = 5 * 60_000;

interface CachedSecret {
  value?: string;
  /** After this instant the value is refreshed in the background on the next read. */
  refreshAt: number;
  /** While a failed read backs off, the stale value (or the failure) is served without asking the source again. */
  retryAt: number;
  /** Consecutive failed reads: the backoff doubles with each. */
  failures: number;
  /** Set by invalidate(): the next read waits for the source instead of serving the cached value. */
  mustRefresh: boolean;
  /** Why the last read failed, while it backs off. */
  lastError?: Error;
  inFlight?: Promise<string>;
  /** Up once a value has been read; down while there is none and reading fails. */
  status: DependencyStatus;
}

/**
 * Secret values, read from Key Vault (or the local environment) and kept in
 * memory: stale values are refreshed in the background, concurrent readers
 * share one read, a failed refresh keeps serving the last good value and backs
 * off (docs/resilience.md). `get()` throws a `ServiceError` only while no
 * value has ever been read. Values are never logged.
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

  /** Where values come from, for logs and diagnostics. */
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
    if (entry?.value === undefined && entry?.lastError !== undefined) {
      // No value yet and the last read failed: answer with that failure now; once the backoff is over, the next
      // read runs in the background instead of making callers wait out the SDK's retries against a failing source.
      if (now >= entry.retryAt) {
        this.fetch(name).catch(() => undefined);
      }
      throw entry.lastError;
    }
    return this.fetch(name);
  }

  /** The health of the secret `name`, for readiness. */
  status(name: string): DependencyStatus {
    return this.entry(name).status;
  }

  /**
   * Forces the next `get(name)` to read from the source. With `rejectedValue`,
   * only if that is still the cached value: when many requests fail with the
   * same old key at once, the first one triggers the re-read and the others
   * share it instead of invalidating the fresh value again.
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
