import { EventEmitter } from 'node:events';
import type { RedisLimitsClient } from '../../src/rate-limit/shared-rate-limits.js';

export interface RedisHit {
  clientKey: string;
  globalKey: string;
  ttlMs: number;
  perClient: number;
}

/**
 * The part of the Redis client that `SharedRateLimits` uses, in memory: every hit is kept and answered by `answer`;
 * `connect` and `close` fail when told to. Emit `ready` and `error` as the real client does.
 */
export class FakeRedisLimitsClient extends EventEmitter implements RedisLimitsClient {
  isReady = true;
  closed = false;
  readonly hits: RedisHit[] = [];
  answer: () => Promise<[number, number]> = () => Promise.resolve([1, 1]);
  connectFailure?: Error;
  closeFailure?: Error;

  hit(clientKey: string, globalKey: string, ttlMs: number, perClient: number): Promise<[number, number]> {
    this.hits.push({ clientKey, globalKey, ttlMs, perClient });
    return this.answer();
  }

  connect(): Promise<void> {
    return this.connectFailure ? Promise.reject(this.connectFailure) : Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return this.closeFailure ? Promise.reject(this.closeFailure) : Promise.resolve();
  }
}
