import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { FakeRedisLimitsClient } from '../../test/doubles/fake-redis-limits-client.js';
import { LocalRateLimits } from './local-rate-limits.js';
import { redisFailure } from './redis-client.js';
import { HIT_SCRIPT, REDIS_CALL_TIMEOUT_MS, SharedRateLimits } from './shared-rate-limits.js';

const POLICY = { perClient: 2, global: 100, windowMs: 60_000 };
/** 10 s into window 29_000_000 (a minute), so a second or two later is still the same window. */
const T = 29_000_000 * 60_000 + 10_000;

describe('SharedRateLimits: counting', () => {
  let redis: FakeRedisLimitsClient;
  let limits: SharedRateLimits;

  beforeEach(() => {
    redis = new FakeRedisLimitsClient();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const describe = (error: unknown) => redisFailure('cache.example:10000', true, error);
    limits = new SharedRateLimits(redis, new LocalRateLimits(POLICY), POLICY, describe);
  });

  afterEach(() => jest.restoreAllMocks());

  it("counts in Redis under the window's keys, both limits in one call, and answers with Redis's counts", async () => {
    jest.spyOn(Date, 'now').mockReturnValue(T);
    redis.answer = () => Promise.resolve([2, 97]);
    expect(await limits.hit('203.0.113.7')).toEqual({ clientRemaining: 0, globalRemaining: 3, resetSeconds: 50 });
    redis.answer = () => Promise.resolve([3, 0]);
    expect(await limits.hit('203.0.113.7')).toEqual({ refusedBy: 'client', clientRemaining: 0, resetSeconds: 50 });
    // Every instance, old or new, must name the counters alike; each expires after two windows.
    const hit = {
      clientKey: 'aia:rate-limit:{29000000}:client:203.0.113.7',
      globalKey: 'aia:rate-limit:{29000000}:global',
      ttlMs: 120_000,
      perClient: 2,
    };
    expect(redis.hits).toEqual([hit, hit]);
    expect(limits.shared).toBe(true);
  });

  it('counts locally when Redis does not answer in time, and skips Redis for the next second', async () => {
    redis.answer = () => new Promise(() => undefined);
    const started = performance.now();
    expect((await limits.hit('a')).refusedBy).toBeUndefined();
    // It waits for the call's timeout, not for Redis (which never answers); generous for a loaded machine.
    expect(performance.now() - started).toBeLessThan(REDIS_CALL_TIMEOUT_MS + 500);
    jest.spyOn(Date, 'now').mockReturnValue(Date.now()); // the next hits within the second that follows
    expect((await limits.hit('a')).refusedBy).toBeUndefined();
    expect(await limits.hit('a')).toMatchObject({ refusedBy: 'client' }); // the local count holds the limit
    expect(redis.hits).toHaveLength(1);
    expect(limits.shared).toBe(false);
  });

  it('tries Redis again one second after a failed call, and is shared again when it answers', async () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(T);
    redis.answer = () => Promise.reject(new Error('Socket closed unexpectedly'));
    await limits.hit('a');
    redis.answer = () => Promise.resolve([1, 2]);
    now.mockReturnValue(T + 999);
    expect(await limits.hit('a')).toMatchObject({ clientRemaining: 0 }); // counted here: the second local hit
    expect(redis.hits).toHaveLength(1);
    expect(limits.shared).toBe(false);

    now.mockReturnValue(T + 1_000);
    expect(await limits.hit('a')).toMatchObject({ clientRemaining: 1, globalRemaining: 98 });
    expect(redis.hits).toHaveLength(2);
    expect(limits.status.state).toBe('up');
    expect(limits.shared).toBe(true);
  });

  it('counts locally at once while the client is not ready, without calling Redis', async () => {
    redis.isReady = false;
    expect(await limits.hit('a')).toMatchObject({ clientRemaining: 1 });
    expect(await limits.hit('a')).toMatchObject({ clientRemaining: 0 });
    expect(redis.hits).toHaveLength(0);
  });
});

describe('HIT_SCRIPT', () => {
  it('sends both counters as keys (one slot of a clustered cache), then the TTL and the per-client limit', () => {
    const sent: { keys: string[]; args: string[] } = { keys: [], args: [] };
    const parser = {
      pushKey: (key: string) => sent.keys.push(key),
      push: (...args: string[]) => sent.args.push(...args),
    } as unknown as Parameters<typeof HIT_SCRIPT.parseCommand>[0];
    HIT_SCRIPT.parseCommand(parser, 'k:{1}:client:a', 'k:{1}:global', 120_000, 2);
    expect(sent).toEqual({ keys: ['k:{1}:client:a', 'k:{1}:global'], args: ['120000', '2'] });
  });

  it("answers Redis's two counts as they come", () => {
    expect(HIT_SCRIPT.transformReply([3, 0] as never)).toEqual([3, 0]);
  });
});
