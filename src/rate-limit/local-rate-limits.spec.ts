import { LocalRateLimits } from './local-rate-limits.js';
import { rateLimitHeaders, verdictFor } from './rate-limits.js';

const POLICY = { perClient: 2, global: 3, windowMs: 60_000 };

describe('LocalRateLimits', () => {
  it('allows each client its limit per window and refuses the next with the seconds left in the window', () => {
    let now = 10 * 60_000 + 15_000; // 15 s into a window
    const limits = new LocalRateLimits(POLICY, () => now);
    expect([limits.hit('a'), limits.hit('a')]).toEqual([
      { clientRemaining: 1, globalRemaining: 2, resetSeconds: 45 },
      { clientRemaining: 0, globalRemaining: 1, resetSeconds: 45 },
    ]);
    expect(limits.hit('a')).toEqual({ refusedBy: 'client', clientRemaining: 0, resetSeconds: 45 });
    now += 44_500;
    expect(limits.hit('a')).toMatchObject({ refusedBy: 'client', resetSeconds: 1 });
    now += 500; // the next window
    expect(limits.hit('a')).toEqual({ clientRemaining: 1, globalRemaining: 2, resetSeconds: 60 });
  });

  it('caps all clients together, without counting requests their own limit refused', () => {
    const limits = new LocalRateLimits(POLICY, () => 0);
    limits.hit('a');
    limits.hit('a');
    expect(limits.hit('a').refusedBy).toBe('client'); // not counted globally
    expect(limits.hit('b')).toEqual({ clientRemaining: 1, globalRemaining: 0, resetSeconds: 60 });
    expect(limits.hit('c')).toEqual({ refusedBy: 'global', clientRemaining: 1, globalRemaining: 0, resetSeconds: 60 });
  });

  it('forgets the clients of a window when the next one starts', () => {
    let now = 0;
    const limits = new LocalRateLimits({ ...POLICY, perClient: 1, global: 1_000_000 }, () => now);
    for (let client = 0; client < 1_000; client++) {
      limits.hit(`client-${client}`);
    }
    now = 60_000;
    expect(limits.hit('client-0').refusedBy).toBeUndefined(); // its count started again
    expect((limits as unknown as { clients: Map<string, number> }).clients.size).toBe(1);
  });

  it('names the client limit when both are exceeded', () => {
    expect(verdictFor(POLICY, 3, 4, 0).refusedBy).toBe('client');
    expect(verdictFor(POLICY, 2, 4, 0).refusedBy).toBe('global');
    expect(verdictFor(POLICY, 2, 3, 0).refusedBy).toBeUndefined();
  });
});

describe('rateLimitHeaders', () => {
  const policy = { perClient: 60, global: 600, windowMs: 60_000 };

  it('lists both policies and what is left of each; the trio follows the limit closest to refusing', () => {
    expect(rateLimitHeaders(policy, { clientRemaining: 45, globalRemaining: 500, resetSeconds: 30 })).toEqual({
      'RateLimit-Policy': '"per-client";q=60;w=60, "global";q=600;w=60',
      RateLimit: '"per-client";r=45;t=30, "global";r=500;t=30',
      'RateLimit-Limit': '60',
      'RateLimit-Remaining': '45',
      'RateLimit-Reset': '30',
    });
    expect(rateLimitHeaders(policy, { clientRemaining: 45, globalRemaining: 7, resetSeconds: 2 })).toMatchObject({
      RateLimit: '"per-client";r=45;t=2, "global";r=7;t=2',
      'RateLimit-Limit': '600',
      'RateLimit-Remaining': '7',
      'RateLimit-Reset': '2',
    });
  });

  it('follows the client limit in the trio while both have as much left', () => {
    const headers = rateLimitHeaders(policy, { clientRemaining: 7, globalRemaining: 7, resetSeconds: 5 });
    expect(headers).toMatchObject({ 'RateLimit-Limit': '60', 'RateLimit-Remaining': '7' });
  });

  it('leaves the global count out when the client limit refused the request uncounted', () => {
    const headers = rateLimitHeaders(policy, { refusedBy: 'client', clientRemaining: 0, resetSeconds: 12 });
    expect(headers).toMatchObject({ RateLimit: '"per-client";r=0;t=12', 'RateLimit-Remaining': '0' });
  });
});
