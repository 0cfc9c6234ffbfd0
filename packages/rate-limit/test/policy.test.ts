// The policy table: the documented defaults, custom tiers and classes (type-checked), and every
// malformed table refused when the limiter is made, with INVALID_INPUT naming the bad part.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createRateLimiter, DEFAULT_RATE_POLICY, type RatePolicy } from '../src/index.js';

const rule = { rate: 10, per: 'second', burst: 5 } as const;

describe('the default policy', () => {
  it('has the documented numbers for every tier and class', () => {
    expect(DEFAULT_RATE_POLICY).toEqual({
      standard: {
        'read-light': { rate: 300, per: 'minute', burst: 60 },
        'write-light': { rate: 60, per: 'minute', burst: 20 },
        'long-running': { rate: 10, per: 'minute', burst: 5 },
      },
      pilot: {
        'read-light': { rate: 1200, per: 'minute', burst: 200 },
        'write-light': { rate: 240, per: 'minute', burst: 60 },
        'long-running': { rate: 30, per: 'minute', burst: 10 },
      },
      partner: {
        'read-light': { rate: 3000, per: 'minute', burst: 500 },
        'write-light': { rate: 600, per: 'minute', burst: 120 },
        'long-running': { rate: 60, per: 'minute', burst: 20 },
      },
    });
  });

  it('is frozen all the way down', () => {
    expect(Object.isFrozen(DEFAULT_RATE_POLICY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RATE_POLICY.pilot)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RATE_POLICY.pilot['long-running'])).toBe(true);
  });

  it('is what a limiter without a policy uses', async () => {
    const limiter = createRateLimiter();
    expect(limiter.tiers).toEqual(['standard', 'pilot', 'partner']);
    expect(limiter.endpointClasses).toEqual(['read-light', 'write-light', 'long-running']);
    const d = await limiter.limit({ keyId: 'k', tier: 'partner', endpointClass: 'long-running' });
    expect([d.limit, d.remaining, d.tier]).toEqual([20, 19, 'partner']);
  });

  it('can be overridden in part by spreading it', async () => {
    const limiter = createRateLimiter({
      policy: {
        ...DEFAULT_RATE_POLICY,
        partner: {
          ...DEFAULT_RATE_POLICY.partner,
          'long-running': { rate: 2, per: 'second', burst: 40 },
        },
      },
    });
    const d = await limiter.limit({ keyId: 'k', tier: 'partner', endpointClass: 'long-running' });
    expect(d.limit).toBe(40);
  });
});

describe('custom tiers and classes', () => {
  it('are inferred from the table and type-checked', async () => {
    const limiter = createRateLimiter({
      policy: {
        free: { search: rule, export: rule },
        paid: { search: rule, export: rule },
      },
    });
    expectTypeOf(limiter.endpointClasses).toEqualTypeOf<readonly ('search' | 'export')[]>();
    expectTypeOf(limiter.tiers).toEqualTypeOf<readonly ('free' | 'paid')[]>();
    const d = await limiter.limit({ keyId: 'k', tier: 'paid', endpointClass: 'export' });
    expectTypeOf(d.endpointClass).toEqualTypeOf<'search' | 'export'>();
    // @ts-expect-error: not a class of this policy
    expect(() => limiter.limit({ keyId: 'k', tier: 'paid', endpointClass: 'read-light' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', details: { parameter: 'endpointClass' } }),
    );
    // @ts-expect-error: a tier must have every class
    const partial: RatePolicy<'a' | 'b', 'x' | 'y'> = { a: { x: rule, y: rule }, b: { x: rule } };
    expect(partial.b).toBeDefined();
  });

  it('a key whose tier the policy lacks gets the default tier, never an error', async () => {
    const limiter = createRateLimiter({
      policy: { free: { search: { ...rule, burst: 1 } }, paid: { search: rule } },
    });
    const d = await limiter.limit({ keyId: 'k', tier: 'gold', endpointClass: 'search' });
    expect([d.allowed, d.tier, d.limit]).toEqual([true, 'free', 1]);
    const standard = createRateLimiter();
    const s = await standard.limit({ keyId: 'k', tier: 'nope', endpointClass: 'read-light' });
    expect(s.tier).toBe('standard');
    const chosen = createRateLimiter({
      policy: { free: { search: rule }, paid: { search: { ...rule, burst: 9 } } },
      defaultTier: 'paid',
    });
    expect((await chosen.limit({ keyId: 'k', tier: '', endpointClass: 'search' })).limit).toBe(9);
  });
});

describe('malformed policies are refused at construction, naming the part', () => {
  const table: Array<[string, unknown, string]> = [
    ['not an object', 'fast', 'policy'],
    ['an array', [rule], 'policy'],
    ['no tiers', {}, 'policy'],
    ['a tier that is not an object', { standard: 5 }, 'policy.standard'],
    ['a tier without classes', { standard: {} }, 'policy.standard'],
    ['a negative rate', { standard: { read: { ...rule, rate: -1 } } }, 'policy.standard.read.rate'],
    ['a zero rate', { standard: { read: { ...rule, rate: 0 } } }, 'policy.standard.read.rate'],
    [
      'a NaN rate',
      { standard: { read: { ...rule, rate: Number.NaN } } },
      'policy.standard.read.rate',
    ],
    [
      'an infinite rate',
      { standard: { read: { ...rule, rate: Number.POSITIVE_INFINITY } } },
      'policy.standard.read.rate',
    ],
    ['a string rate', { standard: { read: { ...rule, rate: '10' } } }, 'policy.standard.read.rate'],
    [
      'a rate above one per microsecond',
      { standard: { read: { ...rule, rate: 2_000_000 } } },
      'policy.standard.read.rate',
    ],
    [
      'a rate below one a day',
      { standard: { read: { rate: 0.01, per: 'hour', burst: 1 } } },
      'policy.standard.read.rate',
    ],
    [
      'an unknown period',
      { standard: { read: { ...rule, per: 'day' } } },
      'policy.standard.read.per',
    ],
    ['a zero burst', { standard: { read: { ...rule, burst: 0 } } }, 'policy.standard.read.burst'],
    [
      'a fractional burst',
      { standard: { read: { ...rule, burst: 1.5 } } },
      'policy.standard.read.burst',
    ],
    [
      'a huge burst',
      { standard: { read: { ...rule, burst: 10_000_000 } } },
      'policy.standard.read.burst',
    ],
    ['a rule that is null', { standard: { read: null } }, 'policy.standard.read'],
    [
      'an extra field',
      { standard: { read: { ...rule, window: 5 } } },
      'policy.standard.read.window',
    ],
    [
      'a tier without every class',
      { standard: { read: rule, write: rule }, pilot: { read: rule } },
      'policy.pilot.write',
    ],
    [
      'an unknown class in a later tier',
      { standard: { read: rule }, pilot: { read: rule, write: rule } },
      'policy.pilot.write',
    ],
    [
      'a class name with a space',
      { standard: { 'read light': rule } },
      'policy.standard.read light',
    ],
    ['a tier name with a newline', { 'gold\n': { read: rule } }, 'policy.gold\n'],
    ['an empty class name', { standard: { '': rule } }, 'policy.standard.'],
  ];
  for (const [label, policy, part] of table) {
    it(label, () => {
      expect(() => createRateLimiter({ policy: policy as RatePolicy<string, string> })).toThrow(
        expect.objectContaining({
          code: 'INVALID_INPUT',
          status: 400,
          details: { parameter: part },
        }),
      );
    });
  }

  it('a defaultTier the policy lacks, and malformed options', () => {
    const policy = { free: { search: rule } };
    // @ts-expect-error: not a tier of the policy
    expect(() => createRateLimiter({ policy, defaultTier: 'paid' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', details: { parameter: 'defaultTier' } }),
    );
    for (const [options, part] of [
      [{ storeTimeoutMs: 0 }, 'storeTimeoutMs'],
      [{ storeTimeoutMs: 1.5 }, 'storeTimeoutMs'],
      [{ retryStoreAfterMs: -1 }, 'retryStoreAfterMs'],
      [{ onStoreError: 'ignore' }, 'onStoreError'],
      [{ denialCache: { maxEntries: 0 } }, 'denialCache.maxEntries'],
      [{ store: {} }, 'store'],
    ] as const) {
      expect(() => createRateLimiter(options as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', details: { parameter: part } }),
      );
    }
  });
});
