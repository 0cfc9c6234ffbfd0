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
import { wrongSecretFor } from './helpers.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Two-sample Kolmogorov–Smirnov statistic: the largest gap between the two empirical CDFs. */
function ksStatistic(a: readonly number[], b: readonly number[]): number {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let gap = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i] ?? Number.POSITIVE_INFINITY, y[j] ?? Number.POSITIVE_INFINITY);
    while (i < x.length && (x[i] ?? Number.POSITIVE_INFINITY) <= v) i++;
    while (j < y.length && (y[j] ?? Number.POSITIVE_INFINITY) <= v) j++;
    gap = Math.max(gap, Math.abs(i / x.length - j / y.length));
  }
  return gap;
}

/** The KS statistic above which two samples of size `n` differ at significance 0.001. */
const ksCritical = (n: number): number => 1.949 * Math.sqrt(2 / n);

async function elapsed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn().catch(() => {});
  return performance.now() - start;
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('timing', () => {
  it('unknown key_id, wrong secret and right secret: indistinguishable distributions (cold, cost 6)', async () => {
    const store = createMemoryApiKeyStore();
    const hasher = createBcryptHasher({ cost: 6, threads: 1 });
    const manager = createApiKeyManager({ store, hasher });
    const verifier = createApiKeyVerifier({ store, hasher, cache: false, failedAttempts: false });
    try {
      const real = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
      const right = real.key.expose();
      // A well-formed key whose key_id is not in the store.
      const unknown = (
        await createApiKeyManager({ store: createMemoryApiKeyStore(), hasher }).mint({
          organizationId: 'o',
          env: 'live',
          name: 'n',
        })
      ).key.expose();
      await expect(verifier.verify(right)).resolves.toBeTruthy();

      type Kind = 'unknown' | 'wrong' | 'right' | 'malformed';
      const samples: Record<Kind | 'bare', number[]> = {
        unknown: [],
        wrong: [],
        right: [],
        malformed: [],
        bare: [],
      };
      const run: Record<Kind, () => Promise<unknown>> = {
        unknown: () => verifier.verify(unknown),
        // Same key_id, another secret with a valid checksum: reaches the compare. Made beforehand,
        // so making it is not timed.
        wrong: () => verifier.verify(wrongs.pop() ?? ''),
        right: () => verifier.verify(right),
        // The control: refused by the checksum before any compare.
        malformed: () => verifier.verify(`${right.slice(0, -2)}AA`),
      };
      const n = 60;
      const wrongs = Array.from({ length: n + 10 }, () => wrongSecretFor(right));
      const bareHash = bcrypt.hashSync('x', 6);
      for (let round = 0; round < 5; round++) await elapsed(run.unknown); // warm up
      for (let i = 0; i < n; i++) {
        // A new order every round, so drift in machine load falls on every kind alike.
        for (const kind of shuffled(['unknown', 'wrong', 'right', 'malformed'] as const)) {
          samples[kind].push(await elapsed(run[kind]));
        }
        const start = performance.now();
        bcrypt.compareSync(right, bareHash);
        samples.bare.push(performance.now() - start);
      }
      const summary = JSON.stringify(
        Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v).toFixed(2)])),
      );
      const critical = ksCritical(n);
      for (const [a, b] of [
        ['unknown', 'wrong'],
        ['unknown', 'right'],
        ['wrong', 'right'],
      ] as const) {
        expect(ksStatistic(samples[a], samples[b]), `${a} vs ${b}: ${summary}`).toBeLessThan(
          critical,
        );
      }
      // The statistic does tell apart a path that skips the compare (so the checks above can fail).
      expect(ksStatistic(samples.unknown, samples.malformed), summary).toBeGreaterThan(critical);
      // And each really pays a bcrypt compare (a verifier that skipped the dummy compare fails here).
      expect(median(samples.unknown), summary).toBeGreaterThan(0.6 * median(samples.bare));
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
