// The limiter on the in-memory store with a hand-driven clock: burst then rate, exact retry times,
// the numbers the headers carry, class and key isolation, and (property) that no arrival pattern
// gets more than burst + rate × elapsed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createMemoryRateLimitStore,
  createRateLimiter,
  type RateLimitDecision,
} from '../src/index.js';

function clocked(burst: number, perSecond: number) {
  const now = { ms: 1_000_000 };
  const store = createMemoryRateLimitStore({ clock: () => now.ms });
  const rule = { rate: perSecond, per: 'second', burst } as const;
  const limiter = createRateLimiter({
    policy: {
      standard: { read: rule, write: rule, slow: rule },
      pilot: { read: rule, write: rule, slow: rule },
    },
    store,
  });
  const take = (keyId = 'key-a', endpointClass: 'read' | 'write' | 'slow' = 'write') =>
    limiter.limit({ keyId, tier: 'standard', endpointClass }) as RateLimitDecision;
  return { now, limiter, take, store };
}

describe('GCRA on the memory store', () => {
  it('admits the burst at once, then one per interval, and says exactly when', () => {
    const { now, take } = clocked(3, 2); // 3 at once, then one per 500 ms
    const first = [take(), take(), take()];
    expect(first.map((d) => [d.allowed, d.remaining, d.limit])).toEqual([
      [true, 2, 3],
      [true, 1, 3],
      [true, 0, 3],
    ]);
    expect(first.map((d) => d.resetMs)).toEqual([500, 1000, 1500]);
    const refused = take();
    expect(refused).toMatchObject({
      allowed: false,
      remaining: 0,
      retryAfterMs: 500,
      resetMs: 1500,
    });
    now.ms += 499.999;
    expect(take().allowed).toBe(false);
    expect(take().retryAfterMs).toBe(1); // 1 µs left, rounded up to a whole millisecond
    now.ms += 0.001;
    expect(take()).toMatchObject({ allowed: true, remaining: 0 });
    expect(take()).toMatchObject({ allowed: false, retryAfterMs: 500 });
    now.ms += 10_000; // idle: the bucket is full again, not fuller
    expect([take(), take(), take(), take()].map((d) => d.allowed)).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('a refusal costs nothing: refused requests do not push the next admission back', () => {
    const { now, take } = clocked(1, 1);
    expect(take().allowed).toBe(true);
    for (let i = 0; i < 1000; i++) expect(take().allowed).toBe(false);
    now.ms += 1000;
    expect(take().allowed).toBe(true);
  });

  it('classes of one key and keys of one class are separate buckets', () => {
    const { take } = clocked(2, 1);
    expect([take('a', 'slow'), take('a', 'slow'), take('a', 'slow')].map((d) => d.allowed)).toEqual(
      [true, true, false],
    );
    expect(take('a', 'read')).toMatchObject({ allowed: true, remaining: 1 });
    expect(take('a', 'write')).toMatchObject({ allowed: true, remaining: 1 });
    expect(take('b', 'slow')).toMatchObject({ allowed: true, remaining: 1 });
    expect(take('a\nslow', 'slow')).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('the tier picks the numbers, not the bucket', async () => {
    const now = { ms: 0 };
    const limiter = createRateLimiter({
      policy: {
        standard: { read: { rate: 1, per: 'minute', burst: 1 } },
        partner: { read: { rate: 1, per: 'minute', burst: 3 } },
      },
      store: createMemoryRateLimitStore({ clock: () => now.ms }),
    });
    expect(
      (await limiter.limit({ keyId: 'k', tier: 'standard', endpointClass: 'read' })).allowed,
    ).toBe(true);
    // Upgraded to partner: the same bucket, now judged by the larger burst.
    const d = await limiter.limit({ keyId: 'k', tier: 'partner', endpointClass: 'read' });
    expect([d.allowed, d.remaining, d.tier]).toEqual([true, 1, 'partner']);
    await limiter.limit({ keyId: 'k', tier: 'partner', endpointClass: 'read' });
    // Moved down again with three requests in the bucket: refused until it drains, not an error.
    const down = await limiter.limit({ keyId: 'k', tier: 'standard', endpointClass: 'read' });
    expect(down).toMatchObject({ allowed: false, source: 'store', retryAfterMs: 180_000 });
    expect(down.resetMs).toBe(180_000);
  });

  it('answers synchronously and calls onDecision once per decision', () => {
    const seen: RateLimitDecision[] = [];
    const limiter = createRateLimiter({
      onDecision: (d) => {
        seen.push(d);
        throw new Error('dashboards must not break decisions');
      },
    });
    const d = limiter.limit({ keyId: 'k', tier: 'standard', endpointClass: 'read-light' });
    expect(d).not.toBeInstanceOf(Promise);
    expect(seen).toEqual([d]);
    expect(seen[0]).toMatchObject({
      keyId: 'k',
      tier: 'standard',
      endpointClass: 'read-light',
      allowed: true,
      source: 'store',
    });
  });

  it('refuses malformed requests with INVALID_INPUT', () => {
    const limiter = createRateLimiter();
    for (const [request, part] of [
      [{ keyId: '', tier: 'standard', endpointClass: 'read-light' }, 'keyId'],
      [{ keyId: 'x'.repeat(257), tier: 'standard', endpointClass: 'read-light' }, 'keyId'],
      [{ keyId: 7, tier: 'standard', endpointClass: 'read-light' }, 'keyId'],
      [{ keyId: 'k', tier: 'standard', endpointClass: 'READ-LIGHT' }, 'endpointClass'],
      [{ keyId: 'k', tier: 'standard', endpointClass: '__proto__' }, 'endpointClass'],
      [{ keyId: 'k', tier: 'standard' }, 'endpointClass'],
      [null, 'request'],
    ] as const) {
      expect(() => limiter.limit(request as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', details: { parameter: part } }),
      );
    }
    // A tier that is not a string (or __proto__) is just an unknown tier.
    expect(
      (
        limiter.limit({
          keyId: 'k',
          tier: '__proto__',
          endpointClass: 'read-light',
        }) as RateLimitDecision
      ).tier,
    ).toBe('standard');
  });

  it('keeps at most maxEntries keys; a forgotten key comes back with a full bucket', () => {
    const now = { ms: 0 };
    const store = createMemoryRateLimitStore({ maxEntries: 3, clock: () => now.ms });
    const limiter = createRateLimiter({
      policy: { standard: { read: { rate: 1, per: 'hour', burst: 1 } } },
      store,
    });
    const take = (keyId: string) =>
      (limiter.limit({ keyId, tier: 'standard', endpointClass: 'read' }) as RateLimitDecision)
        .allowed;
    expect(take('a')).toBe(true);
    expect(take('a')).toBe(false);
    for (const k of ['b', 'c', 'd']) take(k);
    expect(store.size).toBe(3);
    expect(take('a')).toBe(true); // evicted, so forgotten
    expect(() => createMemoryRateLimitStore({ maxEntries: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', details: { parameter: 'maxEntries' } }),
    );
  });

  it('recently used keys survive eviction (least recently used goes first)', () => {
    const now = { ms: 0 };
    const store = createMemoryRateLimitStore({ maxEntries: 2, clock: () => now.ms });
    const limiter = createRateLimiter({
      policy: { standard: { read: { rate: 1, per: 'hour', burst: 1 } } },
      store,
    });
    const take = (keyId: string) =>
      (limiter.limit({ keyId, tier: 'standard', endpointClass: 'read' }) as RateLimitDecision)
        .allowed;
    take('a');
    now.ms += 2000;
    take('b');
    now.ms += 2000;
    expect(take('a')).toBe(false); // touched: moves to the back
    take('c'); // evicts b, not a
    expect(take('a')).toBe(false);
    expect(take('b')).toBe(true);
  });
});

describe('property: never more than burst + rate × elapsed', () => {
  it('holds for every arrival pattern', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }), // burst
        fc.integer({ min: 1, max: 5000 }), // interval in µs
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 300 }),
        (burst, intervalUs, gaps) => {
          const now = { us: 0 };
          const store = createMemoryRateLimitStore({ clock: () => now.us / 1000 });
          const limiter = createRateLimiter({
            policy: { t: { c: { rate: 1_000_000 / intervalUs, per: 'second', burst } } },
            store,
          });
          const admitted: number[] = [];
          for (const gap of gaps) {
            now.us += gap;
            const d = limiter.limit({
              keyId: 'k',
              tier: 't',
              endpointClass: 'c',
            }) as RateLimitDecision;
            if (d.allowed) admitted.push(now.us);
            // Within any window [admitted[i], admitted[j]] at most burst + elapsed / T.
            const last = admitted.length - 1;
            for (let i = 0; i < last; i++) {
              const elapsed = (admitted[last] as number) - (admitted[i] as number);
              expect(last - i + 1).toBeLessThanOrEqual(burst + Math.floor(elapsed / intervalUs));
            }
            if (!d.allowed) expect(d.retryAfterMs).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a refused request retried exactly retryAfter later is admitted, and 1 µs earlier is not', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1000, max: 50_000 }).map((n) => n * 1000), // whole ms intervals
        fc.array(fc.integer({ min: 0, max: 30_000 }), { minLength: 1, maxLength: 60 }),
        (burst, intervalUs, gaps) => {
          const now = { us: 0 };
          const limiter = createRateLimiter({
            policy: { t: { c: { rate: 1_000_000 / intervalUs, per: 'second', burst } } },
            store: createMemoryRateLimitStore({ clock: () => now.us / 1000 }),
          });
          const take = () =>
            limiter.limit({ keyId: 'k', tier: 't', endpointClass: 'c' }) as RateLimitDecision;
          for (const gap of gaps) {
            now.us += gap * 1000;
            const d = take();
            if (d.allowed) continue;
            now.us += d.retryAfterMs * 1000 - 1;
            expect(take().allowed).toBe(false);
            now.us += 1;
            expect(take().allowed).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
