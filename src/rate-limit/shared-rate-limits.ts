import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { defineScript } from '@redis/client';
import { untilAborted } from '../common/deadline.js';
import { DependencyStatus } from '../common/dependency-status.js';
import type { LocalRateLimits } from './local-rate-limits.js';
import { type RateLimitPolicy, type RateLimits, type Verdict, verdictFor, windowOf } from './rate-limits.js';
import type { RedisUnavailableError } from './redis-client.js';

/** The longest a request waits on Redis before it is counted by this instance instead. */
export const REDIS_CALL_TIMEOUT_MS = 50;
/** After a failed call, requests are counted here for this long before Redis is tried again. */
const RETRY_REDIS_AFTER_MS = 1_000;
export const KEY_PREFIX = 'aia:rate-limit:';

/** Both limits in one atomic round trip; each counter expires after two windows (slack for clocks). */
export const HIT_SCRIPT = defineScript({
  NUMBER_OF_KEYS: 2,
  // Stryker disable next-line StringLiteral: Lua runs only inside Redis; the black-box suite counts with it on a real one
  SCRIPT: `
local ttl = tonumber(ARGV[1])
local client = redis.call('INCR', KEYS[1])
if client == 1 then redis.call('PEXPIRE', KEYS[1], ttl) end
if client > tonumber(ARGV[2]) then return {client, 0} end
local all = redis.call('INCR', KEYS[2])
if all == 1 then redis.call('PEXPIRE', KEYS[2], ttl) end
return {client, all}`,
  parseCommand(parser, clientKey: string, globalKey: string, ttlMs: number, perClient: number) {
    parser.pushKey(clientKey);
    parser.pushKey(globalKey);
    parser.push(String(ttlMs), String(perClient));
  },
  transformReply: (reply: unknown) => reply as [number, number],
});

export interface RedisLimitsClient {
  readonly isReady: boolean;
  hit(clientKey: string, globalKey: string, ttlMs: number, perClient: number): Promise<[number, number]>;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  on(event: 'ready' | 'error', listener: (error?: unknown) => void): unknown;
}

/**
 * The limits shared by every instance, in Redis. A call that fails or takes longer than `REDIS_CALL_TIMEOUT_MS` is
 * counted by this instance instead, and so are the requests of the next second; Redis going down or up is logged once.
 */
export class SharedRateLimits implements RateLimits, OnModuleInit, OnApplicationShutdown {
  readonly status: DependencyStatus;
  private readonly logger = new Logger(SharedRateLimits.name);
  private lastHint?: string;
  readonly firstConnection: Promise<void>;
  private retryAt = 0;

  constructor(
    private readonly redis: RedisLimitsClient,
    private readonly local: LocalRateLimits,
    private readonly policy: RateLimitPolicy,
    private readonly describeFailure: (error: unknown) => RedisUnavailableError,
  ) {
    this.status = new DependencyStatus('Redis (shared rate limits)', this.logger);
    this.firstConnection = new Promise((resolve, reject) => {
      redis.on('ready', () => {
        this.status.succeeded();
        resolve();
      });
      redis.on('error', (error) => reject(this.failed(error)));
    });
    this.firstConnection.catch(() => undefined);
  }

  get shared(): boolean {
    return this.redis.isReady && this.status.state !== 'down';
  }

  onModuleInit(): void {
    this.redis.connect().catch((error: unknown) => this.failed(error));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.close().catch(() => undefined);
  }

  async hit(client: string): Promise<Verdict> {
    const now = Date.now();
    if (!this.redis.isReady || now < this.retryAt) {
      return this.local.hit(client);
    }
    const window = windowOf(this.policy, now);
    // One hash tag per window keeps both keys in one slot of a clustered cache.
    const keys = [`${KEY_PREFIX}{${window}}:client:${client}`, `${KEY_PREFIX}{${window}}:global`] as const;
    try {
      // The client's own timeout covers only the wait to send; this one bounds the answer too.
      const [clientHits, globalHits] = await untilAborted(
        this.redis.hit(...keys, 2 * this.policy.windowMs, this.policy.perClient),
        AbortSignal.timeout(REDIS_CALL_TIMEOUT_MS),
      );
      this.status.succeeded();
      return verdictFor(this.policy, clientHits, globalHits, now);
    } catch (error) {
      this.retryAt = Date.now() + RETRY_REDIS_AFTER_MS;
      this.failed(error);
      return this.local.hit(client);
    }
  }

  /** Records the failure; while Redis stays down, a different cause (say, the token now refused) is logged too. */
  private failed(error: unknown): RedisUnavailableError {
    const failure = this.describeFailure(error);
    const hint = failure.hint ?? failure.detail;
    if (this.status.state === 'down' && hint !== this.lastHint) {
      this.logger.warn(`${this.status.name} is still down: ${hint}`);
    }
    this.lastHint = hint;
    this.status.failed(failure);
    return failure;
  }
}
