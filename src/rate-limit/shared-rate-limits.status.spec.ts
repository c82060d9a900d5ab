import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { FakeRedisLimitsClient } from '../../test/doubles/fake-redis-limits-client.js';
import { LocalRateLimits } from './local-rate-limits.js';
import { redisFailure, RedisUnavailableError } from './redis-client.js';
import { SharedRateLimits } from './shared-rate-limits.js';

const POLICY = { perClient: 2, global: 100, windowMs: 60_000 };

describe('SharedRateLimits: status and logs', () => {
  let redis: FakeRedisLimitsClient;
  let limits: SharedRateLimits;
  let warn: jest.SpiedFunction<Logger['warn']>;
  let log: jest.SpiedFunction<Logger['log']>;
  const lines = (spy: typeof warn) => spy.mock.calls.map(([line]) => String(line));

  const create = () => {
    const describe = (error: unknown) => redisFailure('cache.example:10000', true, error);
    return new SharedRateLimits(redis, new LocalRateLimits(POLICY), POLICY, describe);
  };

  beforeEach(() => {
    redis = new FakeRedisLimitsClient();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    limits = create();
  });

  afterEach(() => jest.restoreAllMocks());

  it('is not shared while the client is not ready, nor while Redis is down', () => {
    redis.isReady = false;
    expect(limits.shared).toBe(false);
    redis.isReady = true;
    expect(limits.shared).toBe(true);
    redis.emit('error', new Error('Socket closed unexpectedly'));
    expect(limits.shared).toBe(false);
  });

  it('resolves the first connection when the client is ready, and is up without a request', async () => {
    redis.emit('ready');
    await expect(limits.firstConnection).resolves.toBeUndefined();
    expect(limits.status.state).toBe('up');
  });

  it('rejects the first connection with what to fix when the client fails first', async () => {
    redis.emit('error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const failure = limits.firstConnection.catch((error: unknown) => error);
    expect(await failure).toBeInstanceOf(RedisUnavailableError);
    expect(await failure).toMatchObject({ hint: expect.stringContaining('check REDIS_URL') as string });
  });

  it('warns once with what to fix when Redis goes down, and logs once when it is back', async () => {
    redis.answer = () => new Promise(() => undefined);
    await limits.hit('a');
    expect(lines(warn)).toEqual([
      expect.stringMatching(/^Redis \(shared rate limits\) is down: Redis cache.example:10000: did not answer in time/),
    ]);
    redis.isReady = false;
    redis.emit('error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(lines(warn)[1]).toContain('is still down: Redis cache.example:10000: unreachable (Error ECONNREFUSED');

    redis.isReady = true;
    redis.emit('ready');
    expect(lines(log)).toEqual([expect.stringMatching(/^Redis \(shared rate limits\) is up again/)]);
    expect(limits.shared).toBe(true);
  });

  it('while down, logs a new cause once (the token refused after the socket closed), not every repeat', () => {
    redis.isReady = false;
    redis.emit('error', new Error('Socket closed unexpectedly'));
    redis.emit('error', new Error('WRONGPASS invalid username-password pair or user is disabled.'));
    redis.emit('error', new Error('WRONGPASS invalid username-password pair or user is disabled.'));
    expect(lines(warn)).toEqual([
      expect.stringMatching(/is down: .*unreachable \(Error: Socket closed unexpectedly\)/),
      expect.stringMatching(/is still down: .*refused the app's Entra ID token/),
    ]);
  });

  it('a failed first connect is logged with what to fix, not thrown', async () => {
    redis.connectFailure = new Error('WRONGPASS invalid username-password pair');
    limits.onModuleInit();
    await new Promise((resolve) => setImmediate(resolve));
    expect(limits.status.state).toBe('down');
    expect(lines(warn)).toEqual([expect.stringContaining("refused the app's Entra ID token")]);
  });

  it('closes the client on shutdown, and a failing close does not fail the shutdown', async () => {
    await limits.onApplicationShutdown();
    expect(redis.closed).toBe(true);
    redis = new FakeRedisLimitsClient();
    redis.closeFailure = new Error('The client is closed');
    await expect(create().onApplicationShutdown()).resolves.toBeUndefined();
    expect(redis.closed).toBe(true);
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
