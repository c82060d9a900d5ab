import { Inject, Injectable, Logger } from '@nestjs/common';
import { type SecretsConfig, secretsConfig } from '../config/config.module.js';
import { registerSecretValue } from '../common/secret-redaction.js';
import { operatorMessage } from '../common/service-error.js';
import type { SecretSource } from './secret-source.js';
import { SECRET_SOURCE } from './secrets.constants.js';

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
}

/** What readiness reports for one secret. Never the value. */
export interface SecretHealth {
  available: boolean;
  detail: string;
}

/**
 * Secret values for the rest of the app, read from Key Vault (or the local
 * environment) and kept in memory.
 *
 * - A value is served from memory; once `SECRET_CACHE_TTL_SECONDS` have
 *   passed, the next read refreshes it in the background while the cached
 *   value keeps being served, so no request waits on Key Vault.
 * - Concurrent readers of the same secret share one in-flight fetch.
 * - When a refresh fails, the last good value keeps being served (and the
 *   failure is logged); the source is asked again after
 *   `SECRET_REFRESH_BACKOFF_SECONDS`, doubling with each consecutive failure
 *   up to 5 minutes. When there is no value yet, callers get the last
 *   failure at once, and a read starts in the background once the backoff
 *   is over; only the very first read is waited for.
 * - `invalidate()` makes the next read go to the source, e.g. after the
 *   third party rejected a key that was rotated.
 *
 * `get()` throws a `ServiceError` only when no value has ever been read.
 * Values are never logged.
 */
@Injectable()
export class SecretsService {
  private readonly logger = new Logger(SecretsService.name);
  private readonly cache = new Map<string, CachedSecret>();

  constructor(
    @Inject(SECRET_SOURCE) private readonly source: SecretSource,
    @Inject(secretsConfig.KEY) private readonly config: SecretsConfig,
  ) {}

  /** Where values come from, for logs and diagnostics. */
  get sourceDescription(): string {
    return this.source.description;
  }

  /**
   * Start-up diagnostics: who the source authenticates as, and whether the
   * secret can be read (the read fills the cache). Throws `ServiceError`s.
   */
  async checkAccess(name: string): Promise<string> {
    // Both at once (they share one token request); the read runs even when the identity check fails, so its
    // failure is cached and requests are answered at once instead of the first one waiting on the source.
    const [who, read] = await Promise.allSettled([this.source.identity?.(), this.get(name)]);
    if (who.status === 'rejected') {
      throw who.reason;
    }
    if (read.status === 'rejected') {
      throw read.reason;
    }
    const identity = who.value;
    return `${this.source.description}: secret "${name}" is readable${identity ? ` as ${identity}` : ''}`;
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

  /**
   * Readiness, from memory only: whether a value is cached (even a stale one).
   * With none, it starts a read in the background (subject to the backoff, and
   * shared with any read under way), so the app becomes ready by itself once
   * the source answers again.
   */
  health(name: string): SecretHealth {
    const entry = this.cache.get(name);
    if (entry?.value !== undefined) {
      return { available: true, detail: `cached from ${this.source.description}` };
    }
    this.get(name).catch(() => undefined);
    const why = entry?.lastError === undefined ? 'not read yet' : operatorMessage(entry.lastError);
    return { available: false, detail: why };
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

  private fetch(name: string): Promise<string> {
    let entry = this.cache.get(name);
    if (!entry) {
      entry = { refreshAt: 0, retryAt: 0, failures: 0, mustRefresh: false };
      this.cache.set(name, entry);
    }
    const cached = entry;
    cached.inFlight ??= this.load(name, cached).finally(() => {
      cached.inFlight = undefined;
    });
    return cached.inFlight;
  }

  private async load(name: string, entry: CachedSecret): Promise<string> {
    try {
      const value = await this.source.read(name);
      registerSecretValue(value);
      if (entry.value !== undefined && entry.value !== value) {
        this.logger.log(`Secret "${name}" has a new value from ${this.source.description}`);
      }
      Object.assign(entry, { value, refreshAt: Date.now() + this.config.cacheTtlMs, retryAt: 0, failures: 0 });
      Object.assign(entry, { mustRefresh: false, lastError: undefined });
      return value;
    } catch (error) {
      entry.failures++;
      const backoffMs = Math.min(this.config.refreshBackoffMs * 2 ** (entry.failures - 1), MAX_BACKOFF_MS);
      entry.retryAt = Date.now() + backoffMs;
      if (entry.value === undefined) {
        entry.lastError = error instanceof Error ? error : new Error(String(error));
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
