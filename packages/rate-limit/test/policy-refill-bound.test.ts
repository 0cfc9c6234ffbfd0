// A rule whose bucket takes centuries to refill (burst × interval) used to be accepted. Bucket
// times are microseconds on the store's clock plus up to that span; past 2^53 they are no longer
// whole numbers, and the limiter took a working store's answers for garbage (0.1 per hour with a
// burst of 1,000,000 sent every request to the fallback after 250,000 admissions). Such a rule
// is now refused when the limiter is made, naming its burst.
import { describe, expect, it } from 'vitest';
import { createAuthenticationGuard, createRateLimiter, type RateLimitStore } from '../src/index.js';

const HOURS_IN_100_YEARS = 100 * 365.25 * 24; // 876,600

describe('a bucket may take at most 100 years to refill', () => {
  it('refuses a longer one at construction, naming the burst', () => {
    for (const rule of [
      { rate: 0.1, per: 'hour', burst: 1_000_000 },
      { rate: 1, per: 'hour', burst: HOURS_IN_100_YEARS + 1 },
    ] as const) {
      expect(() => createRateLimiter({ policy: { standard: { read: rule } } })).toThrow(
        expect.objectContaining({
          code: 'INVALID_INPUT',
          details: { parameter: 'policy.standard.read.burst' },
        }),
      );
    }
    expect(() =>
      createAuthenticationGuard({ perAddress: { rate: 0.1, per: 'hour', burst: 1_000_000 } }),
    ).toThrow(expect.objectContaining({ details: { parameter: 'perAddress.burst' } }));
  });

  it('accepts exactly 100 years, and a shared store on epoch microseconds stays exact to the last admission', async () => {
    // A store running the Redis script's arithmetic on epoch microseconds (Redis TIME's scale).
    let tat = 0;
    const store: RateLimitStore = {
      local: false,
      async take(_keyId, rule) {
        const now = Date.now() * 1000;
        const next = Math.max(tat, now) + rule.intervalUs;
        const allowAt = next - rule.capacityUs;
        if (allowAt > now) return -(allowAt - now);
        tat = next;
        return next - now;
      },
    };
    const events: string[] = [];
    const limiter = createRateLimiter({
      policy: { standard: { read: { rate: 1, per: 'hour', burst: HOURS_IN_100_YEARS } } },
      store,
      onStoreEvent: (e) => events.push(e.type),
    });
    // Fill the bucket to its last request without a round trip each: jump its time ahead.
    const request = { keyId: 'k', tier: 'standard', endpointClass: 'read' } as const;
    tat = Date.now() * 1000 + (HOURS_IN_100_YEARS - 2) * 3_600_000_000;
    const last = await limiter.limit(request);
    expect(last).toMatchObject({ allowed: true, source: 'store' });
    expect(Number.isSafeInteger(tat)).toBe(true);
    expect(last.remaining).toBeLessThanOrEqual(1);
    expect(events).toEqual([]);
  });
});
