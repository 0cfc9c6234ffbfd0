// A flood of forged, well-formed keys (random key_ids with a correct checksum: anyone can make them
// offline) fills every compare slot. A partner this verifier has already proven must keep getting
// in while its cache entry ages and is compared again, and the flood must not buy more compares
// than the cap. Operations are counted; no time is asserted (the rate is what we send, not what
// we measure: on a loaded machine the loop sends in bigger bursts to keep up).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type ApiKeyHasher,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
} from '../src/index.js';
import { keyFromSpec } from './helpers.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function randomKeyId(): string {
  return Array.from(randomBytes(16), (b) => CROCKFORD[b % 32]).join('');
}
const forgedKey = (): string => keyFromSpec('lp', 'live', randomKeyId(), randomBytes(28));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('a proven partner under a flood of forged keys', () => {
  it('≥ 2,000 forged requests/s: the partner keeps ≥ 99 % success while its entry ages, compares stay capped', async () => {
    const store = createMemoryApiKeyStore();
    const inner = createBcryptHasher({ cost: 4, threads: 0 });
    const manager = createApiKeyManager({ store, hasher: inner });
    const partner = (
      await manager.mint({ organizationId: 'org_partner', env: 'live', name: 'partner' })
    ).key.expose();
    // A compare holds its slot ~30 ms (the sleep stands in for bcrypt's time in a worker; no CPU).
    const counts = { running: 0, peak: 0, total: 0, partner: 0 };
    const slow: ApiKeyHasher = {
      hash: (k) => inner.hash(k),
      dummyHash: () => inner.dummyHash(),
      close: () => inner.close(),
      verify: async (k, h) => {
        counts.total += 1;
        if (k === partner) counts.partner += 1;
        counts.running += 1;
        counts.peak = Math.max(counts.peak, counts.running);
        try {
          await sleep(30);
          return await inner.verify(k, h);
        } finally {
          counts.running -= 1;
        }
      },
    };
    const maxConcurrentCompares = 4;
    const verifier = createApiKeyVerifier({
      store,
      hasher: slow,
      maxConcurrentCompares,
      // The entry ages every 100 ms: over the run it is compared again many times.
      cache: { maxAgeMs: 100 },
    });
    try {
      expect((await verifier.verify(partner)).organizationId).toBe('org_partner');
      const forged = Array.from({ length: 8000 }, forgedKey);
      const outcomes = {
        partner: { ok: 0, failed: new Map<string, number>() },
        flood: new Map<string, number>(),
      };
      const bump = (map: Map<string, number>, code: string) =>
        map.set(code, (map.get(code) ?? 0) + 1);
      const pending: Promise<unknown>[] = [];
      let sent = 0;
      let partnerSent = 0;
      const started = performance.now();
      let elapsed = 0;
      let sentBy = 0; // the loop time the last batch caught up to
      while (elapsed < 1500 && sent < forged.length) {
        // Catch up to 2 requests per elapsed millisecond (2,000/s), however late this turn came.
        sentBy = elapsed;
        const due = Math.min(forged.length, Math.ceil((elapsed + 5) * 2));
        for (; sent < due; sent++) {
          pending.push(
            verifier.verify(forged[sent]).then(
              () => bump(outcomes.flood, 'accepted'),
              (e: { code?: string }) => bump(outcomes.flood, e.code ?? 'error'),
            ),
          );
        }
        partnerSent += 1;
        pending.push(
          verifier.verify(partner).then(
            () => {
              outcomes.partner.ok += 1;
            },
            (e: { code?: string }) => bump(outcomes.partner.failed, e.code ?? 'error'),
          ),
        );
        await sleep(5);
        elapsed = performance.now() - started;
      }
      await Promise.all(pending);
      const summary = JSON.stringify({
        sent,
        partnerSent,
        elapsed: Math.round(elapsed),
        partner: { ok: outcomes.partner.ok, failed: [...outcomes.partner.failed] },
        flood: [...outcomes.flood],
        counts,
      });
      // The flood really ran at ≥ 2,000/s of the loop's own time, and the partner's entry aged
      // and was compared again more than once during it.
      expect(sent, summary).toBeGreaterThanOrEqual(2 * sentBy);
      expect(sentBy, summary).toBeGreaterThanOrEqual(1400);
      expect(counts.partner, summary).toBeGreaterThanOrEqual(3);
      expect(outcomes.partner.ok / partnerSent, summary).toBeGreaterThanOrEqual(0.99);
      // No forged key got in; almost all were refused at the cap without a compare.
      expect(outcomes.flood.get('accepted') ?? 0, summary).toBe(0);
      expect(outcomes.flood.get('VERIFIER_BUSY') ?? 0, summary).toBeGreaterThan(0.8 * sent);
      // Bounded CPU: never more compares at once than the cap plus the proven-key lane (a quarter
      // of the cap), and forged keys were compared at most as often as the cap allows.
      expect(counts.peak, summary).toBeLessThanOrEqual(maxConcurrentCompares + 1);
      expect(counts.total - counts.partner, summary).toBeLessThan(0.2 * sent);
    } finally {
      await inner.close();
    }
  });

  it('the proven-key lane serves keys this verifier proved only: a stranger cannot use it', async () => {
    const store = createMemoryApiKeyStore();
    const inner = createBcryptHasher({ cost: 4, threads: 0 });
    const manager = createApiKeyManager({ store, hasher: inner });
    let release: () => void = () => {};
    let gate: Promise<void> = Promise.resolve();
    const held: ApiKeyHasher = {
      hash: (k) => inner.hash(k),
      dummyHash: () => inner.dummyHash(),
      close: () => inner.close(),
      verify: async (k, h) => {
        await gate;
        return inner.verify(k, h);
      },
    };
    const now = { ms: 1_750_000_000_000 };
    const verifier = createApiKeyVerifier({
      store,
      hasher: held,
      clock: () => now.ms,
      maxConcurrentCompares: 1,
      cache: { maxAgeMs: 10_000 },
    });
    try {
      const proven = (
        await manager.mint({ organizationId: 'o', env: 'live', name: 'p' })
      ).key.expose();
      const stranger = (
        await manager.mint({ organizationId: 'o', env: 'live', name: 's' })
      ).key.expose();
      await verifier.verify(proven);
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      // One forged key takes the only slot.
      const flood = verifier.verify(forgedKey()).catch((e: { code?: string }) => e.code);
      // A key this verifier never proved: refused at the cap.
      await expect(verifier.verify(stranger)).rejects.toMatchObject({ code: 'VERIFIER_BUSY' });
      // The proven key, aged past maxAgeMs and even past twice that (so it must wait for its
      // re-compare): its lane is free, so it gets in as soon as the hasher answers.
      now.ms += 20_000;
      const recheck = verifier.verify(proven);
      release();
      expect((await recheck).name).toBe('p');
      expect(await flood).toBe('UNAUTHENTICATED');
    } finally {
      await inner.close();
    }
  });

  it('a failing re-compare is reported and does not fail the aged entry; past twice maxAgeMs it does', async () => {
    const store = createMemoryApiKeyStore();
    const inner = createBcryptHasher({ cost: 4, threads: 0 });
    const manager = createApiKeyManager({ store, hasher: inner });
    let broken = false;
    const flaky: ApiKeyHasher = {
      hash: (k) => inner.hash(k),
      dummyHash: () => inner.dummyHash(),
      close: () => inner.close(),
      verify: async (k, h) => {
        if (broken) throw new Error('worker died');
        return inner.verify(k, h);
      },
    };
    const now = { ms: 1_750_000_000_000 };
    const reported: unknown[] = [];
    const verifier = createApiKeyVerifier({
      store,
      hasher: flaky,
      clock: () => now.ms,
      cache: { maxAgeMs: 10_000 },
      onBackgroundError: (e) => reported.push(e),
    });
    try {
      const key = (
        await manager.mint({ organizationId: 'o', env: 'live', name: 'p' })
      ).key.expose();
      await verifier.verify(key);
      broken = true;
      now.ms += 10_000; // aged: answered from the entry, re-compared in the background
      expect((await verifier.verify(key)).name).toBe('p');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(reported).toHaveLength(1);
      now.ms += 10_000; // twice maxAgeMs: the request needs the re-compare, which fails
      await expect(verifier.verify(key)).rejects.toThrow('worker died');
      broken = false;
      expect((await verifier.verify(key)).name).toBe('p'); // compared again, and fresh once more
      now.ms += 5_000;
      expect((await verifier.verify(key)).name).toBe('p');
    } finally {
      await inner.close();
    }
  });
});
