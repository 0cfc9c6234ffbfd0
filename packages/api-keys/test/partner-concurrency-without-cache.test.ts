// The failed-compare throttle counts compares still running for a key_id, so concurrent guesses
// cannot overshoot its limit. A partner sending many requests at once with its one valid key must
// not be mistaken for a guesser: with the cache off, every request used to start a compare of its
// own, each counted against the key_id, and the eleventh concurrent request of a partner that had
// never failed got 429 "too many failed attempts". Requests with the same key share one compare.
import { describe, expect, it } from 'vitest';
import type { ApiKeyHasher } from '../src/index.js';
import { harness, wrongSecretFor } from './helpers.js';

describe('a partner sending concurrent requests with its own key', () => {
  it.each([
    ['cache off', false],
    ['cache on', true],
  ])('%s: 40 at once are all accepted, none RATE_LIMITED', async (_, cacheOn) => {
    const h = harness();
    const counts = { compares: 0 };
    const counting: ApiKeyHasher = {
      hash: (k) => h.hasher.hash(k),
      dummyHash: () => h.hasher.dummyHash(),
      close: () => h.hasher.close(),
      verify: (k, hash) => {
        counts.compares += 1;
        return h.hasher.verify(k, hash);
      },
    };
    const verifier = h.newVerifier({
      hasher: counting,
      maxConcurrentCompares: 64,
      failedAttempts: { limit: 10, windowMs: 60_000 },
      ...(cacheOn ? {} : { cache: false as const }),
    });
    try {
      const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
      const key = m.key.expose();
      const answers = await Promise.all(
        Array.from({ length: 40 }, () =>
          verifier.verify(key).then(
            (k) => k.keyId,
            (e: { code?: string }) => String(e.code),
          ),
        ),
      );
      expect(new Set(answers)).toEqual(new Set([m.keyId]));
      expect(counts.compares).toBe(1);
      // With the cache off, the next request compares again (the secret is checked per request).
      await verifier.verify(key);
      expect(counts.compares).toBe(cacheOn ? 1 : 2);
      // Guesses for the key_id are still limited as before.
      const guesses = await Promise.all(
        Array.from({ length: 20 }, () =>
          verifier.verify(wrongSecretFor(key)).then(
            () => 'accepted',
            (e: { code?: string }) => String(e.code),
          ),
        ),
      );
      expect(guesses.filter((g) => g === 'UNAUTHENTICATED')).toHaveLength(10);
      expect(guesses.filter((g) => g === 'RATE_LIMITED')).toHaveLength(10);
    } finally {
      await h.hasher.close();
    }
  });
});
