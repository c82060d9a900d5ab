import { LocalRateLimits } from './local-rate-limits.js';
import { verdictFor } from './rate-limits.js';

const POLICY = { perClient: 2, global: 3, windowMs: 60_000 };

describe('LocalRateLimits', () => {
  it('allows each client its limit per window and refuses the next with the seconds left in the window', () => {
    let now = 10 * 60_000 + 15_000; // 15 s into a window
    const limits = new LocalRateLimits(POLICY, () => now);
    expect([limits.hit('a'), limits.hit('a')]).toEqual([{}, {}]);
    expect(limits.hit('a')).toEqual({ refusedBy: 'client', retryAfterSeconds: 45 });
    now += 44_500;
    expect(limits.hit('a')).toEqual({ refusedBy: 'client', retryAfterSeconds: 1 });
    now += 500; // the next window
    expect(limits.hit('a')).toEqual({});
  });

  it('caps all clients together, without counting requests their own limit refused', () => {
    const limits = new LocalRateLimits(POLICY, () => 0);
    limits.hit('a');
    limits.hit('a');
    expect(limits.hit('a').refusedBy).toBe('client'); // not counted globally
    expect(limits.hit('b')).toEqual({});
    expect(limits.hit('c')).toEqual({ refusedBy: 'global', retryAfterSeconds: 60 });
  });

  it('forgets the clients of a window when the next one starts', () => {
    let now = 0;
    const limits = new LocalRateLimits({ ...POLICY, perClient: 1, global: 1_000_000 }, () => now);
    for (let client = 0; client < 1_000; client++) {
      limits.hit(`client-${client}`);
    }
    now = 60_000;
    expect(limits.hit('client-0')).toEqual({}); // its count started again
    expect((limits as unknown as { clients: Map<string, number> }).clients.size).toBe(1);
  });

  it('names the client limit when both are exceeded', () => {
    expect(verdictFor(POLICY, 3, 4, 0).refusedBy).toBe('client');
    expect(verdictFor(POLICY, 2, 4, 0).refusedBy).toBe('global');
    expect(verdictFor(POLICY, 2, 3, 0).refusedBy).toBeUndefined();
  });
});
