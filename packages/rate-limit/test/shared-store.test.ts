// A limiter on a shared (non-local) store, here a fake one over a memory store: one store call per
// decision except for buckets denied earlier (answered locally until the store would admit again,
// never longer), a timeout, the three onStoreError modes, health events and recovery.
import { describe, expect, it } from 'vitest';
import {
  type BucketRule,
  createMemoryRateLimitStore,
  createRateLimiter,
  type RateLimitDecision,
  type RateLimitStore,
  type RateLimitStoreEvent,
  type StoreErrorMode,
} from '../src/index.js';

interface FakeStore extends RateLimitStore {
  calls: number;
  mode: 'ok' | 'hang' | 'throw' | 'reject' | 'garbage';
}

function fakeStore(): FakeStore {
  const inner = createMemoryRateLimitStore({ clock: () => performance.now() });
  const store: FakeStore = {
    local: false,
    calls: 0,
    mode: 'ok',
    take(keyId: string, rule: BucketRule) {
      store.calls += 1;
      switch (store.mode) {
        case 'hang':
          return new Promise<number>(() => {});
        case 'throw':
          throw new Error('connection refused');
        case 'reject':
          return Promise.reject(
            new Error('READONLY You can not write against a read only replica'),
          );
        case 'garbage':
          return Promise.resolve(Number.NaN);
        default:
          return Promise.resolve(inner.take(keyId, rule));
      }
    },
  };
  return store;
}

const policy = { standard: { read: { rate: 10, per: 'second', burst: 2 } } } as const;
const request = { keyId: 'k', tier: 'standard', endpointClass: 'read' } as const;

function limiterOn(
  store: RateLimitStore,
  extra: { onStoreError?: StoreErrorMode; denialCache?: boolean; retryStoreAfterMs?: number } = {},
) {
  const events: RateLimitStoreEvent[] = [];
  const decisions: RateLimitDecision[] = [];
  const limiter = createRateLimiter({
    policy,
    store,
    storeTimeoutMs: 30,
    onStoreEvent: (e) => events.push(e),
    onDecision: (d) => decisions.push(d),
    ...extra,
  });
  return { limiter, events, decisions };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('denial cache: floods cost nothing', () => {
  it('after a denial, requests for the bucket are refused locally until the store would admit', async () => {
    const store = fakeStore();
    const slow = { standard: { read: { rate: 1, per: 'minute', burst: 2 } } } as const;
    const decisions: RateLimitDecision[] = [];
    const limiter = createRateLimiter({
      policy: slow,
      store,
      onDecision: (d) => decisions.push(d),
    });
    const first = await Promise.all([limiter.limit(request), limiter.limit(request)]);
    expect(first.map((d) => d.allowed)).toEqual([true, true]);
    const denied = await limiter.limit(request);
    expect(denied).toMatchObject({ allowed: false, source: 'store' });
    expect(store.calls).toBe(3);
    for (let i = 0; i < 1000; i++) {
      const d = await limiter.limit(request);
      expect(d).toMatchObject({ allowed: false, source: 'denial-cache', limit: 2, remaining: 0 });
      expect(d.retryAfterMs).toBeLessThanOrEqual(denied.retryAfterMs);
      expect(d.retryAfterMs).toBeGreaterThan(50_000);
    }
    expect(store.calls).toBe(3);
    // Another bucket of the same key still goes to the store.
    await limiter.limit({ ...request, keyId: 'other' });
    expect(store.calls).toBe(4);
    expect(decisions.filter((d) => d.source === 'denial-cache')).toHaveLength(1000);
  });

  it('never refuses locally what the store would admit, and the store never admits more', async () => {
    // A store with its own GCRA state on the real clock, which can be read without taking.
    const intervalUs = 20_000;
    const burst = 3;
    let tat = 0;
    let admitted = 0;
    const nowUs = () => Math.round(performance.now() * 1000);
    const peek = (now: number) => Math.max(tat, now) + intervalUs - burst * intervalUs <= now;
    const store: RateLimitStore = {
      local: false,
      async take() {
        await sleep(Math.random() * 3);
        const now = nowUs();
        if (!peek(now)) return -(Math.max(tat, now) + intervalUs - burst * intervalUs - now);
        tat = Math.max(tat, now) + intervalUs;
        admitted += 1;
        return tat - now;
      },
    };
    const limiter = createRateLimiter({
      policy: { standard: { read: { rate: 50, per: 'second', burst } } },
      store,
    });
    const started = nowUs();
    let local = 0;
    const worker = async () => {
      while (nowUs() - started < 500_000) {
        const before = nowUs();
        const d = await limiter.limit(request);
        if (d.source === 'denial-cache') {
          local += 1;
          // The local refusal lasts no longer than the store's own: it ends at or before the moment
          // the store admits again. That moment only moves later (takes push it), so reading it
          // after the decision cannot hide an overrun, however long the machine stalls here.
          // (1 ms of slack: retryAfterMs is rounded up to whole milliseconds.)
          const storeAdmitsAt = tat + intervalUs - burst * intervalUs;
          expect(before + d.retryAfterMs * 1000).toBeLessThanOrEqual(storeAdmitsAt + 1000);
        }
        await sleep(Math.random() * 2);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(local).toBeGreaterThan(0);
    expect(admitted).toBeLessThanOrEqual(burst + Math.floor((nowUs() - started) / intervalUs));
  });

  it('can be turned off', async () => {
    const store = fakeStore();
    const { limiter } = limiterOn(store, { denialCache: false });
    for (let i = 0; i < 10; i++) await limiter.limit(request);
    expect(store.calls).toBe(10);
  });
});

describe('store faults', () => {
  for (const [fault, reason] of [
    ['hang', 'timeout'],
    ['throw', 'error'],
    ['reject', 'error'],
    ['garbage', 'error'],
  ] as const) {
    it(`${fault}: answered by the fallback within the timeout, reported once`, async () => {
      const store = fakeStore();
      store.mode = fault;
      const { limiter, events } = limiterOn(store);
      const started = performance.now();
      const d = await limiter.limit(request);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(d).toMatchObject({ allowed: true, source: 'fallback-local' });
      // While down, requests go straight to the fallback: no store call, no wait.
      const callsBefore = store.calls;
      for (let i = 0; i < 5; i++) await limiter.limit(request);
      expect(store.calls).toBe(callsBefore);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'store-unavailable', reason, fallback: 'local' });
    });
  }

  it('a burst in one tick shares its timeout: answered ones are not held, hanging ones still time out', async () => {
    // Even-numbered calls answer at once, odd ones never: the answered half must not keep waiting
    // for the shared timer, and the hanging half must still be cut off by it.
    let call = 0;
    const store: RateLimitStore = {
      local: false,
      take() {
        call += 1;
        return call % 2 === 0 ? Promise.resolve(1000) : new Promise<number>(() => {});
      },
    };
    const limiter = createRateLimiter({
      policy: { standard: { read: { rate: 10, per: 'second', burst: 100 } } },
      store,
      storeTimeoutMs: 1000,
    });
    const started = performance.now();
    const burst = Array.from({ length: 8 }, (_, i) =>
      Promise.resolve(limiter.limit({ ...request, keyId: `01HX9Y6K7EJ4T2A${i}` })).then((d) => ({
        d,
        ms: performance.now() - started,
      })),
    );
    const results = await Promise.all(burst);
    const answered = results.filter((r) => r.d.source === 'store');
    const cut = results.filter((r) => r.d.source !== 'store');
    expect(answered).toHaveLength(4);
    expect(cut).toHaveLength(4);
    for (const r of answered) expect(r.ms).toBeLessThan(900);
    for (const r of cut) expect(r.ms).toBeGreaterThanOrEqual(990);
  });

  it('local: the fallback enforces the same policy in this process', async () => {
    const store = fakeStore();
    store.mode = 'throw';
    const { limiter } = limiterOn(store);
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.limit(request));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false, false]);
    expect(new Set(decisions.map((d) => d.source))).toEqual(new Set(['fallback-local']));
  });

  it('allow and deny', async () => {
    for (const mode of ['allow', 'deny'] as const) {
      const store = fakeStore();
      store.mode = 'reject';
      const { limiter, events } = limiterOn(store, { onStoreError: mode, retryStoreAfterMs: 500 });
      const all = [];
      for (let i = 0; i < 5; i++) all.push(await limiter.limit(request));
      expect(all.every((d) => d.allowed === (mode === 'allow'))).toBe(true);
      expect(all.every((d) => d.source === `fallback-${mode}`)).toBe(true);
      if (mode === 'deny') expect(all[0]?.retryAfterMs).toBe(200); // capped at the bucket's capacity
      expect(events[0]).toMatchObject({ type: 'store-unavailable', fallback: mode });
    }
  });

  it('recovers by itself: one probe after retryStoreAfterMs, then the store decides again', async () => {
    const store = fakeStore();
    store.mode = 'hang';
    const { limiter, events } = limiterOn(store, { retryStoreAfterMs: 100 });
    await limiter.limit(request);
    store.mode = 'ok';
    expect((await limiter.limit(request)).source).toBe('fallback-local');
    await sleep(120);
    const probe = await limiter.limit(request);
    expect(probe.source).toBe('store');
    expect(events.map((e) => e.type)).toEqual(['store-unavailable', 'store-recovered']);
    expect((await limiter.limit(request)).source).toBe('store');
  });

  it('only one request at a time probes a store that is still down', async () => {
    const store = fakeStore();
    store.mode = 'hang';
    const { limiter } = limiterOn(store, { retryStoreAfterMs: 20 });
    await limiter.limit(request);
    await sleep(30);
    const before = store.calls;
    const burst = await Promise.all(Array.from({ length: 50 }, () => limiter.limit(request)));
    expect(store.calls - before).toBe(1);
    expect(burst.every((d) => d.source === 'fallback-local')).toBe(true);
  });

  it('a throwing onStoreEvent or onDecision changes nothing, and no rejection escapes', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const store = fakeStore();
      store.mode = 'reject';
      const limiter = createRateLimiter({
        policy,
        store,
        onStoreEvent: () => {
          throw new Error('listener');
        },
        onDecision: () => {
          throw new Error('listener');
        },
      });
      expect((await limiter.limit(request)).allowed).toBe(true);
      store.mode = 'hang';
      await sleep(50);
      await sleep(10);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });
});
