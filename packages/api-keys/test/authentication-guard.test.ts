// The guard hook: consulted before every secret compare (never for cached keys or malformed
// input), told every compare's outcome, able to refuse before any bcrypt runs, and unable to break
// the verifier by throwing from `record`.
import { randomBytes } from 'node:crypto';
import { CofferError } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  type ApiKeyHasher,
  type AuthenticationAttempt,
  type AuthenticationGuard,
  type AuthenticationOutcome,
  apiKeyErrorResponse,
  createMemoryApiKeyStore,
} from '../src/index.js';
import { harness, keyFromSpec, wrongSecretFor } from './helpers.js';

/** Counts compares the hasher really runs. */
function counting(hasher: ApiKeyHasher): { hasher: ApiKeyHasher; compares: () => number } {
  let n = 0;
  return {
    hasher: {
      ...hasher,
      hash: (key) => hasher.hash(key),
      dummyHash: () => hasher.dummyHash(),
      close: () => hasher.close(),
      verify: (key, hash) => {
        n += 1;
        return hasher.verify(key, hash);
      },
    },
    compares: () => n,
  };
}

interface Seen {
  checks: AuthenticationAttempt[];
  records: Array<[AuthenticationAttempt, AuthenticationOutcome]>;
}

function recordingGuard(refuse: (a: AuthenticationAttempt) => boolean = () => false): {
  guard: AuthenticationGuard;
  seen: Seen;
} {
  const seen: Seen = { checks: [], records: [] };
  return {
    seen,
    guard: {
      check(attempt) {
        seen.checks.push(attempt);
        if (refuse(attempt)) {
          throw new CofferError('RATE_LIMITED', 'Too many failed authentications; retry later.', {
            status: 429,
            retryable: true,
            details: { retryAfterMs: 1500 },
          });
        }
      },
      record(attempt, outcome) {
        seen.records.push([attempt, outcome]);
      },
    },
  };
}

const unknownKey = (): string => keyFromSpec('lp', 'live', 'ZZZZZZZZZZZZZZZZ', randomBytes(28));

describe('verifier guard', () => {
  it('sees each compare once with its request and outcome; cached keys never reach it', async () => {
    const h = harness();
    const { guard, seen } = recordingGuard();
    const counted = counting(h.hasher);
    const verifier = h.newVerifier({ guard, hasher: counted.hasher });
    const minted = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const key = minted.key.expose();
    const request = { headers: { 'x-api-key': key } };
    await verifier.authenticate(request);
    await verifier.authenticate(request); // cached: no compare, no guard
    await expect(verifier.verify(wrongSecretFor(key))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    await expect(verifier.verify(unknownKey())).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(verifier.verify('lp_live_garbage')).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    expect(counted.compares()).toBe(3);
    expect(seen.checks.map((a) => [a.keyId, a.request === request])).toEqual([
      [minted.keyId, true],
      [minted.keyId, false],
      ['ZZZZZZZZZZZZZZZZ', false],
    ]);
    expect(seen.records.map(([a, o]) => [a.keyId, o])).toEqual([
      [minted.keyId, 'verified'],
      [minted.keyId, 'failed'],
      ['ZZZZZZZZZZZZZZZZ', 'failed'],
    ]);
    await h.hasher.close();
  });

  it('a refusal comes before any compare and becomes 429 with Retry-After', async () => {
    const h = harness();
    const { guard, seen } = recordingGuard(() => true);
    const counted = counting(h.hasher);
    const verifier = h.newVerifier({ guard, hasher: counted.hasher });
    const minted = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const refused = await verifier
      .authenticate({ headers: { 'x-api-key': minted.key.expose() } })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(counted.compares()).toBe(0);
    expect(seen.records).toEqual([]);
    const response = apiKeyErrorResponse(refused, 'req_1');
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('2');
    await h.hasher.close();
  });

  it('a key verified here before never reaches the guard: cached, or re-compared in its own lane', async () => {
    const h = harness();
    const { guard, seen } = recordingGuard();
    const verifier = h.newVerifier({ guard, cache: { maxAgeMs: 1000 } });
    const minted = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const key = minted.key.expose();
    await verifier.verify(key);
    await verifier.verify(key);
    h.now.ms += 1001;
    await verifier.verify(key);
    // Aged past twice maxAgeMs: the request waits for the re-compare, still outside the guard.
    h.now.ms += 2001;
    await verifier.verify(key);
    expect(seen.checks).toHaveLength(1);
    expect(seen.records).toHaveLength(1);
    await h.hasher.close();
  });

  it('an async check is awaited; a rejecting check refuses with its own error', async () => {
    const h = harness();
    let allow = true;
    const verifier = h.newVerifier({
      guard: {
        check: async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (!allow) throw new Error('guard store down');
        },
        record: () => {},
      },
      cache: false,
    });
    const minted = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    expect((await verifier.verify(minted.key.expose())).keyId).toBe(minted.keyId);
    allow = false;
    const error = await verifier.verify(minted.key.expose()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    // Not a CofferError: the envelope turns it into a generic 500 that says nothing of it.
    const response = apiKeyErrorResponse(error, 'req_1');
    expect(response.status).toBe(500);
    expect(JSON.stringify(response.body)).not.toContain('guard store down');
    await h.hasher.close();
  });

  it('a throwing record never changes the decision; the error goes to onBackgroundError', async () => {
    const reported: unknown[] = [];
    const h = harness({}, createMemoryApiKeyStore());
    const verifier = h.newVerifier({
      guard: {
        check: () => {},
        record: () => {
          throw new Error('dashboard down');
        },
      },
      onBackgroundError: (e) => reported.push(e),
    });
    const minted = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    expect((await verifier.verify(minted.key.expose())).keyId).toBe(minted.keyId);
    await expect(verifier.verify(wrongSecretFor(minted.key.expose()))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    expect(reported).toHaveLength(2);
    await h.hasher.close();
  });

  it('a request refused as busy never reaches the guard (a flood cannot spend its budget)', async () => {
    const h = harness();
    const { guard, seen } = recordingGuard();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const verifier = h.newVerifier({
      guard,
      maxConcurrentCompares: 1,
      hasher: {
        ...h.hasher,
        hash: (k) => h.hasher.hash(k),
        dummyHash: () => h.hasher.dummyHash(),
        close: () => h.hasher.close(),
        verify: async (k, hash) => {
          await gate;
          return h.hasher.verify(k, hash);
        },
      },
    });
    const first = verifier.verify(unknownKey()).catch((e: { code: string }) => e.code);
    await new Promise((r) => setTimeout(r, 10));
    const busy = await Promise.all(
      Array.from({ length: 5 }, () =>
        verifier.verify(unknownKey()).catch((e: { code: string }) => e.code),
      ),
    );
    expect(busy).toEqual(Array(5).fill('VERIFIER_BUSY'));
    expect(seen.checks).toHaveLength(1);
    release();
    expect(await first).toBe('UNAUTHENTICATED');
    await h.hasher.close();
  });

  it('the per-key_id throttle still refuses first, without asking the guard', async () => {
    const h = harness();
    const { guard, seen } = recordingGuard();
    const verifier = h.newVerifier({ guard, failedAttempts: { limit: 2 } });
    const minted = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    for (let i = 0; i < 2; i++) {
      await expect(verifier.verify(wrongSecretFor(minted.key.expose()))).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    }
    await expect(verifier.verify(wrongSecretFor(minted.key.expose()))).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(seen.checks).toHaveLength(2);
    await h.hasher.close();
  });
});
