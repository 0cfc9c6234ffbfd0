// The per-key_id throttle on failed compares: concurrent guesses cannot overshoot its limit, and
// what a guesser sees for a key_id is a function of its own guesses and the clock only — the same
// for a key_id that exists and one that does not, whoever else verifies the real key meanwhile.
import { describe, expect, it } from 'vitest';
import type { ApiKeyHasher, ApiKeyVerifier } from '../src/index.js';
import { harness, keyFromSpec, wrongSecretFor } from './helpers.js';

/** A hasher wrapper that counts compares (and lets the test hold them at a gate). */
function counting(inner: ApiKeyHasher) {
  let open: () => void = () => {};
  let gate: Promise<void> = Promise.resolve();
  const counts = { compares: 0 };
  const hasher: ApiKeyHasher = {
    hash: (key) => inner.hash(key),
    dummyHash: () => inner.dummyHash(),
    close: () => inner.close(),
    verify: async (key, hash) => {
      counts.compares += 1;
      await gate;
      return inner.verify(key, hash);
    },
  };
  return {
    hasher,
    counts,
    hold: () => {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    release: () => open(),
  };
}

const seen = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'accepted',
    (e: { code?: string; details?: { retryAfterMs?: number } }) =>
      e.code === 'RATE_LIMITED' ? `RATE_LIMITED ${e.details?.retryAfterMs}` : `${e.code}`,
  );

describe('failed-compare throttle: concurrent guesses', () => {
  it.each([
    ['a key_id that exists', true],
    ['a key_id that does not', false],
  ])('64 concurrent wrong secrets for %s: exactly `limit` compares', async (_, exists) => {
    const h = harness();
    const c = counting(h.hasher);
    const verifier = h.newVerifier({
      hasher: c.hasher,
      maxConcurrentCompares: 64,
      failedAttempts: { limit: 10, windowMs: 60_000 },
    });
    const real = (
      await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' })
    ).key.expose();
    const target = exists
      ? real
      : keyFromSpec('lp', 'live', 'ZZZZZZZZZZZZZZZZ', new Uint8Array(28));
    c.hold();
    const guesses = Array.from({ length: 64 }, () => seen(verifier.verify(wrongSecretFor(target))));
    c.release();
    const results = await Promise.all(guesses);
    // Exactly `limit`: no more (concurrent guesses overshooting), and no fewer (a throttle that
    // refused guesses it had room for would lock the real partner out of its own key_id).
    expect(c.counts.compares).toBe(10);
    expect(results.filter((r) => r === 'UNAUTHENTICATED')).toHaveLength(10);
    expect(results.filter((r) => r.startsWith('RATE_LIMITED'))).toHaveLength(54);
    // The window is full now: the next guess is refused without a compare.
    expect(await seen(verifier.verify(wrongSecretFor(target)))).toMatch(/^RATE_LIMITED/);
    expect(c.counts.compares).toBe(10);
  });
});

describe('failed-compare throttle: no existence oracle', () => {
  /**
   * The guesser's script against one key_id: wrong secrets, one at a time, with the clock moving.
   * Between guesses, `between(i)` lets others use the key_id (or not).
   */
  async function guesser(
    verifier: ApiKeyVerifier,
    target: string,
    now: { ms: number },
    between: (i: number) => Promise<void>,
  ): Promise<string[]> {
    const observed: string[] = [];
    for (let i = 0; i < 12; i++) {
      observed.push(await seen(verifier.verify(wrongSecretFor(target))));
      await between(i);
      now.ms += 2_000;
    }
    return observed;
  }

  it('a known key_id used by its partner meanwhile and an unknown key_id look exactly the same', async () => {
    const h = harness();
    const options = {
      cache: { maxAgeMs: 10_000 },
      failedAttempts: { limit: 3, windowMs: 60_000 },
    };
    const verifier = h.newVerifier(options);
    const partner = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'partner' });
    const key = partner.key.expose();
    // Another partner key, proven here before the guessing starts (its entry will age meanwhile).
    const provenOther = h.newVerifier(options);
    await provenOther.verify(key);
    const withPartner = await guesser(verifier, key, h.now, async (i) => {
      // The real partner, first not yet proven here (after one wrong guess), then cached, then
      // aged and compared again, on this verifier and on one where it was proven earlier.
      if (i === 0) expect((await verifier.verify(key)).keyId).toBe(partner.keyId);
      if (i >= 1) expect((await verifier.verify(key)).keyId).toBe(partner.keyId);
      if (i === 6) h.now.ms += 10_000;
      expect((await provenOther.verify(key)).keyId).toBe(partner.keyId);
    });

    const u = harness(options);
    const unknown = keyFromSpec('lp', 'live', 'ZZZZZZZZZZZZZZZZ', new Uint8Array(28));
    const alone = await guesser(u.verifier, unknown, u.now, async (i) => {
      if (i === 6) u.now.ms += 10_000;
    });
    expect(withPartner).toEqual(alone);
    // And what that is: `limit` refusals, then RATE_LIMITED until the window from the first failure ends.
    expect(alone.slice(0, 4)).toEqual([
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'RATE_LIMITED 54000',
    ]);
  });

  it('a guesser who used up a key_id keeps seeing 429 when the partner verifies, cold or cached', async () => {
    const h = harness();
    const verifier = h.newVerifier({
      cache: { maxAgeMs: 10_000 },
      failedAttempts: { limit: 3, windowMs: 60_000 },
    });
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const key = m.key.expose();
    await verifier.verify(key); // proven here
    for (let i = 0; i < 3; i++) await verifier.verify(wrongSecretFor(key)).catch(() => {});
    const before = await seen(verifier.verify(wrongSecretFor(key)));
    expect(before).toBe('RATE_LIMITED 60000');
    // The partner's entry ages; its next request is answered and compared again.
    h.now.ms += 10_000;
    expect((await verifier.verify(key)).keyId).toBe(m.keyId);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await verifier.verify(key)).keyId).toBe(m.keyId);
    // The guesser sees exactly what it saw before, the window merely 10 s further on.
    expect(await seen(verifier.verify(wrongSecretFor(key)))).toBe('RATE_LIMITED 50000');
    // And on a key_id where the partner's success came while the guesser was under the limit,
    // the guesser still gets only `limit` attempts in all.
    const other = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n2' });
    const otherKey = other.key.expose();
    expect(await seen(verifier.verify(wrongSecretFor(otherKey)))).toBe('UNAUTHENTICATED');
    expect(await seen(verifier.verify(wrongSecretFor(otherKey)))).toBe('UNAUTHENTICATED');
    expect((await verifier.verify(otherKey)).keyId).toBe(other.keyId); // cold, not proven before
    expect(await seen(verifier.verify(wrongSecretFor(otherKey)))).toBe('UNAUTHENTICATED');
    expect(await seen(verifier.verify(wrongSecretFor(otherKey)))).toMatch(/^RATE_LIMITED/);
  });
});
