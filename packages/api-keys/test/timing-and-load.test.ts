// Side channels and load: the verifier must not tell an unknown key_id from a wrong secret by its
// timing, and a flood of cold verifications must not stall the event loop. These compare
// distributions measured in the same run; none asserts an absolute duration.
import { performance } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import {
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
} from '../src/index.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function elapsed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn().catch(() => {});
  return performance.now() - start;
}

describe('timing', () => {
  it('unknown key_id, wrong secret and right secret take the same time (cold, cost 6)', async () => {
    const store = createMemoryApiKeyStore();
    const hasher = createBcryptHasher({ cost: 6, threads: 1 });
    const manager = createApiKeyManager({ store, hasher });
    const verifier = createApiKeyVerifier({ store, hasher, cache: false, failedAttempts: false });
    const strangerStore = createMemoryApiKeyStore();
    const strangers = createApiKeyManager({ store: strangerStore, hasher });
    try {
      const real = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
      const right = real.key.expose();
      const unknown = (
        await strangers.mint({ organizationId: 'o', env: 'live', name: 'n' })
      ).key.expose();
      // Wrong secret, same key_id, valid checksum: the same key rotated in a twin store.
      const twinStore = createMemoryApiKeyStore();
      const record = await store.getKey(real.keyId);
      if (record === null) throw new Error('not stored');
      await twinStore.insertKey(record);
      const wrong = (
        await createApiKeyManager({ store: twinStore, hasher }).rotate(real.keyId)
      ).key.expose();
      await expect(verifier.verify(right)).resolves.toBeTruthy();

      const samples: Record<'unknown' | 'wrong' | 'right' | 'bare', number[]> = {
        unknown: [],
        wrong: [],
        right: [],
        bare: [],
      };
      const bareHash = bcrypt.hashSync('x', 6);
      for (let round = 0; round < 3; round++) await elapsed(() => verifier.verify(unknown)); // warm up
      for (let i = 0; i < 40; i++) {
        samples.unknown.push(await elapsed(() => verifier.verify(unknown)));
        samples.wrong.push(await elapsed(() => verifier.verify(wrong)));
        samples.right.push(await elapsed(() => verifier.verify(right)));
        const start = performance.now();
        bcrypt.compareSync(right, bareHash);
        samples.bare.push(performance.now() - start);
      }
      const m = {
        unknown: median(samples.unknown),
        wrong: median(samples.wrong),
        right: median(samples.right),
        bare: median(samples.bare),
      };
      // Not distinguishable: the three medians agree within 25%.
      const [lo, hi] = [
        Math.min(m.unknown, m.wrong, m.right),
        Math.max(m.unknown, m.wrong, m.right),
      ];
      expect(hi / lo, JSON.stringify(m)).toBeLessThan(1.25);
      // And each really pays a bcrypt compare (a verifier that skipped the dummy compare fails here).
      expect(m.unknown, JSON.stringify(m)).toBeGreaterThan(0.6 * m.bare);
    } finally {
      await hasher.close();
    }
  });
});

/** Samples event-loop lag every 5 ms while `work` runs; returns the worst lag in ms. */
async function worstLag(work: () => Promise<unknown>): Promise<number> {
  let worst = 0;
  let expected = performance.now() + 5;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - expected);
    expected = now + 5;
  }, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  // A loop starved until the very end never ran the sampler: count that wait too.
  return Math.max(worst, performance.now() - expected);
}

describe('load', () => {
  it('a flood of cold verifications does not stall the event loop (worker pool), and fails fast when saturated', async () => {
    const store = createMemoryApiKeyStore();
    const minter = createBcryptHasher({ cost: 4, threads: 0 });
    const manager = createApiKeyManager({ store, hasher: minter });
    const keys = await Promise.all(
      Array.from({ length: 24 }, async (_, i) =>
        (await manager.mint({ organizationId: 'o', env: 'live', name: `${i}` })).key.expose(),
      ),
    );
    // The stored hashes are cost 4; compares against them are cheap. Make them cost 9 by re-importing.
    const slowStore = createMemoryApiKeyStore();
    for (const key of keys) {
      const parsed = (await store.listKeys({ organizationId: 'o', limit: 100 })).find((r) =>
        key.startsWith(r.start),
      );
      if (parsed === undefined) throw new Error('missing');
      await slowStore.insertKey({ ...parsed, secretHash: bcrypt.hashSync(key, 9) });
    }
    const pooled = createBcryptHasher({ cost: 9, threads: 1 });
    const inline = createBcryptHasher({ cost: 9, threads: 0 });
    try {
      const verifier = createApiKeyVerifier({
        store: slowStore,
        hasher: pooled,
        maxConcurrentCompares: 16,
      });
      await pooled.dummyHash();
      let busy = 0;
      const poolLag = await worstLag(() =>
        Promise.all(
          keys.map((k) =>
            verifier.verify(k).catch((e: { code?: string }) => {
              if (e.code === 'VERIFIER_BUSY') busy += 1;
              else throw e;
            }),
          ),
        ),
      );
      expect(busy).toBe(keys.length - 16);
      // The same flood with bcrypt on the main thread, to show the probe sees a blocked loop.
      const blocking = createApiKeyVerifier({
        store: slowStore,
        hasher: inline,
        maxConcurrentCompares: 64,
        cache: false,
      });
      const inlineLag = await worstLag(() =>
        Promise.all(keys.slice(0, 6).map((k) => blocking.verify(k))),
      );
      expect(
        poolLag,
        `pool ${poolLag.toFixed(1)} ms vs main thread ${inlineLag.toFixed(1)} ms`,
      ).toBeLessThan(inlineLag / 2);
    } finally {
      await pooled.close();
      await inline.close();
      await minter.close();
    }
  });
});
