import { EventEmitter } from 'node:events';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { LocalRateLimits } from './local-rate-limits.js';
import { redisFailure } from './redis-client.js';
import { KEY_PREFIX, REDIS_CALL_TIMEOUT_MS, type RedisLimitsClient, SharedRateLimits } from './shared-rate-limits.js';

const POLICY = { perClient: 2, global: 100, windowMs: 60_000 };

class FakeRedis extends EventEmitter implements RedisLimitsClient {
  isReady = true;
  calls: string[][] = [];
  answer: () => Promise<[number, number]> = () => Promise.resolve([1, 1]);
  hit(clientKey: string, globalKey: string): Promise<[number, number]> {
    this.calls.push([clientKey, globalKey]);
    return this.answer();
  }
  connect = () => Promise.resolve();
  close = () => Promise.resolve();
}

describe('SharedRateLimits', () => {
  let redis: FakeRedis;
  let limits: SharedRateLimits;
  let warn: jest.SpiedFunction<Logger['warn']>;

  beforeEach(() => {
    redis = new FakeRedis();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const describe = (error: unknown) => redisFailure('cache.example:10000', true, error);
    limits = new SharedRateLimits(redis, new LocalRateLimits(POLICY), POLICY, describe);
  });

  afterEach(() => jest.restoreAllMocks());

  it("counts in Redis with prefixed keys of the window, one call for both limits, and uses Redis's counts", async () => {
    redis.answer = () => Promise.resolve([3, 0]);
    expect(await limits.hit('203.0.113.7')).toMatchObject({ refusedBy: 'client' });
    const window = Math.floor(Date.now() / 60_000);
    expect(redis.calls).toEqual([[`${KEY_PREFIX}{${window}}:client:203.0.113.7`, `${KEY_PREFIX}{${window}}:global`]]);
    expect(limits.shared).toBe(true);
  });

  it('counts locally when Redis does not answer in time, warns once with what to fix, and tries Redis again later', async () => {
    redis.answer = () => new Promise(() => undefined);
    const started = performance.now();
    expect((await limits.hit('a')).refusedBy).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(REDIS_CALL_TIMEOUT_MS + 40);
    expect((await limits.hit('a')).refusedBy).toBeUndefined();
    expect(await limits.hit('a')).toMatchObject({ refusedBy: 'client' }); // the local count holds the limit
    expect(redis.calls).toHaveLength(1); // the next second's requests skip Redis
    expect(limits.shared).toBe(false);
    expect(warn.mock.calls.map(([line]) => String(line))).toEqual([
      expect.stringMatching(/^Redis \(shared rate limits\) is down: Redis cache.example:10000: did not answer in time/),
    ]);
  });

  it('counts locally at once while the client is disconnected, and goes back to Redis when it is ready again', async () => {
    redis.isReady = false;
    redis.emit('error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect((await limits.hit('a')).refusedBy).toBeUndefined();
    expect(redis.calls).toHaveLength(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain(
      'unreachable (Error ECONNREFUSED: connect ECONNREFUSED): check REDIS_URL',
    );

    redis.isReady = true;
    redis.emit('ready');
    await limits.hit('a');
    expect(redis.calls).toHaveLength(1);
    expect(limits.shared).toBe(true);
  });

  it('while down, logs a new cause once (the token refused after the socket closed), not every repeat', () => {
    redis.isReady = false;
    redis.emit('error', new Error('Socket closed unexpectedly'));
    redis.emit('error', new Error('WRONGPASS invalid username-password pair or user is disabled.'));
    redis.emit('error', new Error('WRONGPASS invalid username-password pair or user is disabled.'));
    expect(warn.mock.calls.map(([line]) => String(line))).toEqual([
      expect.stringMatching(/is down: .*unreachable \(Error: Socket closed unexpectedly\)/),
      expect.stringMatching(/is still down: .*refused the app's Entra ID token/),
    ]);
  });

  it('names the missing access policy when Redis refuses the token', () => {
    const refused = redisFailure('cache.example:10000', true, new Error('WRONGPASS invalid username-password pair'));
    expect(refused.hint).toContain("give the app's managed identity an access policy assignment on the cache");
    const reauth = new Error(
      'Re-authentication with latest credentials failed: WRONGPASS invalid username-password pair',
    );
    expect(redisFailure('cache.example:10000', true, reauth).hint).toContain('access policy assignment');
    const password = redisFailure('localhost:6379', false, new Error('WRONGPASS invalid username-password pair'));
    expect(password.hint).toContain('refused the password in REDIS_URL');
  });
});
