import { describe, expect, it, vi } from 'vitest';
import {
  type ApiKeyHasher,
  type ApiKeyStore,
  createApiKeyVerifier,
  createMemoryApiKeyStore,
  isWellFormedApiKey,
} from '../src/index.js';
import { alter, harness, wrongSecretFor } from './helpers.js';

const code = (c: string, details?: Record<string, unknown>) =>
  expect.objectContaining(
    details === undefined ? { code: c } : { code: c, details: expect.objectContaining(details) },
  );

/** A hasher wrapper that counts compares. */
function counting(inner: ApiKeyHasher): ApiKeyHasher & { compares: number } {
  const wrapped = {
    compares: 0,
    hash: (key: string) => inner.hash(key),
    verify: (key: string, hash: string) => {
      wrapped.compares += 1;
      return inner.verify(key, hash);
    },
    dummyHash: () => inner.dummyHash(),
    close: () => inner.close(),
  };
  return wrapped;
}

/**
 * Makes the store's next `getKey` read the record at once but answer only when `release()` is
 * called: a read that is under way while the test changes the key.
 */
function holdNextGetKey(store: ApiKeyStore) {
  const getKey = store.getKey.bind(store);
  let resolveHeld: () => void = () => {};
  const spy = vi.spyOn(store, 'getKey').mockImplementationOnce(async (keyId) => {
    const before = await getKey(keyId);
    await new Promise<void>((resolve) => {
      resolveHeld = resolve;
    });
    return before;
  });
  return { spy, release: () => resolveHeld() };
}

describe('verifier: the decision table', () => {
  it('lets a valid key in and returns what the request may know, nothing secret', async () => {
    const h = harness();
    const minted = await h.manager.mint({
      organizationId: 'org_1',
      env: 'live',
      name: 'acme',
      scopes: ['a:read', 'b:write'],
    });
    const key = await h.verifier.verify(minted.key.expose(), { requiredScopes: ['a:read'] });
    expect(key).toEqual({
      keyId: minted.keyId,
      organizationId: 'org_1',
      env: 'live',
      name: 'acme',
      scopes: ['a:read', 'b:write'],
      tier: 'standard',
      start: minted.start,
      expiresAt: null,
    });
    expect(JSON.stringify(key)).not.toContain(minted.key.expose().slice(-43));
    expect(Object.isFrozen(key)).toBe(true);
  });

  it('global kill switch comes first, before the key is even parsed', async () => {
    const h = harness();
    await h.manager.setGlobalKillSwitch(true);
    await expect(h.verifier.verify('garbage')).rejects.toEqual(
      code('KILL_SWITCH', { scope: 'global' }),
    );
    await expect(h.verifier.verify(undefined)).rejects.toEqual(
      code('KILL_SWITCH', { scope: 'global' }),
    );
  });

  it('malformed keys and bad checksums are refused without a lookup or a compare', async () => {
    const store = createMemoryApiKeyStore();
    const getKey = vi.spyOn(store, 'getKey');
    const h = harness({}, store);
    const hasher = counting(h.hasher);
    const verifier = h.newVerifier({ hasher });
    const minted = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const key = minted.key.expose();
    const typo = alter(key, 40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 3);
    expect(isWellFormedApiKey(typo)).toBe(false);
    const sameLengthUnicode = `${key.slice(0, -2)}é${key.slice(-1)}`;
    for (const bad of [
      typo,
      '',
      'lp_live_',
      key.slice(0, -1),
      42,
      null,
      {},
      ['x'],
      `${key} `,
      sameLengthUnicode,
    ]) {
      await expect(verifier.verify(bad)).rejects.toEqual(code('UNAUTHENTICATED'));
    }
    expect(getKey).not.toHaveBeenCalled();
    expect(hasher.compares).toBe(0);
  });

  it('an unknown key_id costs a compare against a dummy hash and says only UNAUTHENTICATED', async () => {
    const h = harness();
    const hasher = counting(h.hasher);
    const verifier = h.newVerifier({ hasher });
    const minted = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    await h.manager.revoke(minted.keyId);
    // A well-formed key whose id is unknown: mint in another store.
    const other = harness();
    const stranger = (
      await other.manager.mint({ organizationId: 'o', env: 'live', name: 'n' })
    ).key.expose();
    const unknown = await verifier.verify(stranger).catch((e: unknown) => e);
    expect(unknown).toEqual(code('UNAUTHENTICATED'));
    expect(hasher.compares).toBe(1);
    // A wrong secret (valid checksum) for a known, revoked id: compared, and the same code and
    // message as an unknown id, not REVOKED: nothing about the key is said before the secret.
    const wrongSecret = wrongSecretFor(minted.key.expose());
    expect(isWellFormedApiKey(wrongSecret)).toBe(true);
    const wrong = await verifier.verify(wrongSecret).catch((e: unknown) => e);
    expect(hasher.compares).toBe(2);
    expect(wrong).toEqual(code('UNAUTHENTICATED'));
    expect((wrong as Error).message).toBe((unknown as Error).message);
    expect((wrong as { details?: unknown }).details).toBeUndefined();
  });

  it('state is judged only after the secret is proven: revoked, killed, organization-killed, expired', async () => {
    const h = harness({ stateTtlMs: 0 });
    const m = await h.manager.mint({
      organizationId: 'org_s',
      env: 'live',
      name: 'n',
      expiresAt: new Date(h.now.ms + 60_000),
    });
    const key = m.key.expose();
    // A wrong secret (valid checksum, same key_id) in every state is UNAUTHENTICATED with the
    // generic message: no state leaks before the secret is proven.
    const wrongSecret = wrongSecretFor(key);
    expect(isWellFormedApiKey(wrongSecret)).toBe(true);
    const refusedBeforeState = async (): Promise<void> => {
      const error = await h.verifier.verify(wrongSecret).catch((e: unknown) => e);
      expect(error).toEqual(code('UNAUTHENTICATED'));
      expect((error as { details?: unknown }).details).toBeUndefined();
    };
    await h.manager.kill(m.keyId);
    await expect(h.verifier.verify(key)).rejects.toEqual(
      code('KILL_SWITCH', { scope: 'key', keyId: m.keyId }),
    );
    await refusedBeforeState();
    await h.manager.unkill(m.keyId);
    await h.manager.setOrganizationKillSwitch('org_s', true);
    await expect(h.verifier.verify(key)).rejects.toEqual(
      code('KILL_SWITCH', { scope: 'organization' }),
    );
    await refusedBeforeState();
    await h.manager.setOrganizationKillSwitch('org_s', false);
    h.now.ms += 60_000;
    await expect(h.verifier.verify(key)).rejects.toEqual(
      code('UNAUTHENTICATED', { reason: 'expired' }),
    );
    await refusedBeforeState();
    h.now.ms -= 60_000;
    await h.manager.kill(m.keyId);
    await h.manager.revoke(m.keyId);
    // Revoked outranks killed.
    await expect(h.verifier.verify(key)).rejects.toEqual(code('REVOKED', { keyId: m.keyId }));
    await refusedBeforeState();
  });

  it('authenticate: the global kill switch outranks a missing, conflicting or malformed header', async () => {
    const h = harness();
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const key = m.key.expose();
    const requests = [
      { headers: {} },
      { headers: { 'x-api-key': key, authorization: `Bearer ${wrongSecretFor(key)}` } },
      { headers: { authorization: 'Bearer a b' } },
      { headers: new Headers({ 'x-api-key': 'garbage' }) },
      { headers: { 'x-api-key': key } },
    ];
    await expect(h.verifier.authenticate(requests[0] ?? { headers: {} })).rejects.toEqual(
      code('UNAUTHENTICATED', { reason: 'missing' }),
    );
    await h.manager.setGlobalKillSwitch(true);
    h.now.ms += 1000; // past the state TTL: the verifier re-reads the switch
    for (const request of requests) {
      await expect(h.verifier.authenticate(request)).rejects.toEqual(
        code('KILL_SWITCH', { scope: 'global' }),
      );
    }
    await h.manager.setGlobalKillSwitch(false);
    h.now.ms += 1000;
    expect((await h.verifier.authenticate({ headers: { 'x-api-key': key } })).keyId).toBe(m.keyId);
    await expect(h.verifier.authenticate({ headers: {} })).rejects.toEqual(
      code('UNAUTHENTICATED', { reason: 'missing' }),
    );
  });

  it('requireScopes: FORBIDDEN_SCOPE lists what is missing', async () => {
    const h = harness();
    const m = await h.manager.mint({
      organizationId: 'o',
      env: 'live',
      name: 'n',
      scopes: ['events:read'],
    });
    await expect(
      h.verifier.verify(m.key.expose(), {
        requiredScopes: ['events:read', 'events:read+pii', 'jobs:cancel'],
      }),
    ).rejects.toEqual(code('FORBIDDEN_SCOPE', { missing: ['events:read+pii', 'jobs:cancel'] }));
    await expect(h.verifier.verify(m.key.expose(), { requiredScopes: [] })).resolves.toBeTruthy();
  });

  it('a key of another prefix is refused by a verifier configured for this one', async () => {
    const store = createMemoryApiKeyStore();
    const h = harness({}, store);
    const { createApiKeyManager } = await import('../src/index.js');
    const acme = createApiKeyManager({ store, hasher: h.hasher, prefix: 'acme' });
    const m = await acme.mint({ organizationId: 'o', env: 'live', name: 'n' });
    expect(m.start.startsWith('acme_live_')).toBe(true);
    await expect(h.verifier.verify(m.key.expose())).rejects.toEqual(code('UNAUTHENTICATED'));
    const acmeVerifier = createApiKeyVerifier({ store, hasher: h.hasher, prefix: 'acme' });
    expect((await acmeVerifier.verify(m.key.expose())).keyId).toBe(m.keyId);
  });
});

describe('verifier: rotation', () => {
  it('without grace the old secret stops at once; with grace it works until the grace ends', async () => {
    const h = harness({ stateTtlMs: 0 });
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const first = m.key.expose();
    await h.verifier.verify(first);
    const second = (await h.manager.rotate(m.keyId)).key.expose();
    await expect(h.verifier.verify(first)).rejects.toEqual(code('UNAUTHENTICATED'));
    expect((await h.verifier.verify(second)).keyId).toBe(m.keyId);
    const third = await h.manager.rotate(m.keyId, { gracePeriodMs: 30_000 });
    expect(third.keyId).toBe(m.keyId);
    expect(third.info.previousSecretValidUntil?.getTime()).toBe(h.now.ms + 30_000);
    expect((await h.verifier.verify(second)).keyId).toBe(m.keyId);
    expect((await h.verifier.verify(third.key.expose())).keyId).toBe(m.keyId);
    h.now.ms += 29_999;
    expect((await h.verifier.verify(second)).keyId).toBe(m.keyId);
    h.now.ms += 1;
    await expect(h.verifier.verify(second)).rejects.toEqual(code('UNAUTHENTICATED'));
    await expect(h.verifier.verify(first)).rejects.toEqual(code('UNAUTHENTICATED'));
    expect((await h.verifier.verify(third.key.expose())).keyId).toBe(m.keyId);
  });
});

describe('verifier: cache', () => {
  it('a busy key pays the compare once; the cache is keyed by the full key, not the key_id', async () => {
    const h = harness();
    const hasher = counting(h.hasher);
    const verifier = h.newVerifier({ hasher });
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const key = m.key.expose();
    await Promise.all(Array.from({ length: 20 }, () => verifier.verify(key)));
    for (let i = 0; i < 50; i++) await verifier.verify(key);
    expect(hasher.compares).toBe(1);
    // Same key_id, wrong secret (well-formed): compared, refused, and never cached as a failure.
    const wrong = (await h.manager.rotate(m.keyId, { gracePeriodMs: 1 })).key.expose();
    h.now.ms += 1000; // past the grace and the state TTL: the cached entry for the old secret is dropped
    const before = hasher.compares;
    await expect(verifier.verify(key)).rejects.toEqual(code('UNAUTHENTICATED'));
    expect(hasher.compares).toBe(before + 1); // against the current hash only: the grace is over
    await verifier.verify(wrong);
    await verifier.verify(wrong);
    expect(hasher.compares).toBe(before + 2);
  });

  it('entries expire after maxAgeMs and the LRU bound holds', async () => {
    const h = harness();
    const hasher = counting(h.hasher);
    const verifier = h.newVerifier({ hasher, cache: { maxEntries: 2, maxAgeMs: 10_000 } });
    const keys = await Promise.all(
      [1, 2, 3].map(async (i) =>
        (await h.manager.mint({ organizationId: 'o', env: 'live', name: `k${i}` })).key.expose(),
      ),
    );
    const [a, b, c] = keys as [string, string, string];
    await verifier.verify(a);
    await verifier.verify(b);
    h.now.ms += 1000; // hits re-order the LRU at most once a second per entry
    await verifier.verify(a); // a is now most recent
    await verifier.verify(c); // evicts b
    expect(hasher.compares).toBe(3);
    await verifier.verify(a);
    await verifier.verify(c);
    expect(hasher.compares).toBe(3);
    await verifier.verify(b);
    expect(hasher.compares).toBe(4);
    h.now.ms += 10_000;
    await verifier.verify(b);
    expect(hasher.compares).toBe(5);
  });

  it('cache: false compares every time', async () => {
    const h = harness();
    const hasher = counting(h.hasher);
    const verifier = h.newVerifier({ hasher, cache: false });
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    for (let i = 0; i < 3; i++) await verifier.verify(m.key.expose());
    expect(hasher.compares).toBe(3);
  });

  it('state is re-read at most once per stateTtlMs, and invalidate() forces it without a compare', async () => {
    const store = createMemoryApiKeyStore();
    const getKey = vi.spyOn(store, 'getKey');
    const getKillSwitch = vi.spyOn(store, 'getKillSwitch');
    const h = harness({}, store);
    const hasher = counting(h.hasher);
    const verifier = h.newVerifier({ hasher });
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const key = m.key.expose();
    await verifier.verify(key);
    getKey.mockClear();
    getKillSwitch.mockClear();
    for (let i = 0; i < 100; i++) await verifier.verify(key);
    expect(getKey).not.toHaveBeenCalled();
    expect(getKillSwitch).not.toHaveBeenCalled();
    h.now.ms += 1000;
    await Promise.all(Array.from({ length: 10 }, () => verifier.verify(key)));
    expect(getKey).toHaveBeenCalledTimes(1);
    expect(getKillSwitch).toHaveBeenCalledTimes(2); // global and organization
    await h.manager.kill(m.keyId);
    await verifier.verify(key); // within the TTL: not seen yet
    verifier.invalidate({ keyId: m.keyId });
    await expect(verifier.verify(key)).rejects.toEqual(code('KILL_SWITCH', { scope: 'key' }));
    expect(hasher.compares).toBe(1);
  });

  it('kill and revoke propagate within the state TTL to another verifier sharing the store', async () => {
    const h = harness();
    const a = h.newVerifier();
    const b = h.newVerifier();
    const m = await h.manager.mint({ organizationId: 'org_p', env: 'live', name: 'n' });
    const key = m.key.expose();
    await a.verify(key);
    await b.verify(key);
    await h.manager.kill(m.keyId);
    h.now.ms += 999;
    await b.verify(key); // still cached state
    h.now.ms += 1;
    await expect(b.verify(key)).rejects.toEqual(code('KILL_SWITCH', { scope: 'key' }));
    await expect(a.verify(key)).rejects.toEqual(code('KILL_SWITCH', { scope: 'key' }));
    await h.manager.unkill(m.keyId);
    await h.manager.setOrganizationKillSwitch('org_p', true);
    h.now.ms += 1000;
    await expect(b.verify(key)).rejects.toEqual(code('KILL_SWITCH', { scope: 'organization' }));
    await h.manager.setOrganizationKillSwitch('org_p', false);
    await h.manager.revoke(m.keyId);
    h.now.ms += 1000;
    await expect(a.verify(key)).rejects.toEqual(code('REVOKED'));
    await expect(b.verify(key)).rejects.toEqual(code('REVOKED'));
  });

  it('invalidate() wins over a state read that was already under way, for the request that made it too', async () => {
    const store = createMemoryApiKeyStore();
    const h = harness({}, store);
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const key = m.key.expose();
    await h.verifier.verify(key);
    // The next state read is held until we let it go; it reads the record before the revoke.
    const { spy, release } = holdNextGetKey(store);
    h.now.ms += 1000; // state is stale: this verify starts a re-read
    const during = h.verifier.verify(key);
    await vi.waitFor(() => expect(spy).toHaveBeenCalledTimes(1));
    await h.manager.revoke(m.keyId);
    h.verifier.invalidate({ keyId: m.keyId, organizationId: 'o' });
    release();
    // The read predates the revoke and the decision comes after it: the record is read again.
    await expect(during).rejects.toEqual(code('REVOKED'));
    await expect(h.verifier.verify(key)).rejects.toEqual(code('REVOKED'));
  });

  it('invalidate() during a cold verification: the request is judged on the record read after it', async () => {
    const store = createMemoryApiKeyStore();
    const h = harness({}, store);
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const key = m.key.expose();
    const { spy, release } = holdNextGetKey(store);
    const during = h.verifier.verify(key);
    await vi.waitFor(() => expect(spy).toHaveBeenCalledTimes(1));
    await h.manager.kill(m.keyId);
    h.verifier.invalidate({ keyId: m.keyId });
    release();
    // Same clock, well inside the state TTL: still re-read, because the read predates the kill.
    await expect(during).rejects.toEqual(code('KILL_SWITCH', { scope: 'key' }));
    await expect(h.verifier.verify(key)).rejects.toEqual(code('KILL_SWITCH', { scope: 'key' }));
  });

  it('a key-level invalidation re-reads that key only, not its organization', async () => {
    const store = createMemoryApiKeyStore();
    const getKey = vi.spyOn(store, 'getKey');
    const getKillSwitch = vi.spyOn(store, 'getKillSwitch');
    const h = harness({}, store);
    const [a, b] = await Promise.all(
      ['a', 'b'].map(async (name) =>
        (await h.manager.mint({ organizationId: 'o', env: 'live', name })).key.expose(),
      ),
    );
    if (a === undefined || b === undefined) throw new Error('not minted');
    await h.verifier.verify(a);
    await h.verifier.verify(b);
    getKey.mockClear();
    getKillSwitch.mockClear();
    h.verifier.invalidate({ keyId: (await h.verifier.verify(a)).keyId, organizationId: 'o' });
    await h.verifier.verify(a);
    await h.verifier.verify(b);
    expect(getKey).toHaveBeenCalledTimes(1);
    expect(getKillSwitch).not.toHaveBeenCalled();
    h.verifier.invalidate({ organizationId: 'o' });
    await h.verifier.verify(a);
    await h.verifier.verify(b);
    expect(getKey).toHaveBeenCalledTimes(3);
    expect(getKillSwitch).toHaveBeenCalledTimes(1);
  });

  it('state read by a slow store counts from when it was asked for, not when it answered', async () => {
    const store = createMemoryApiKeyStore();
    const h = harness({}, store);
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const key = m.key.expose();
    await h.verifier.verify(key);
    h.now.ms += 1000; // stale: the next verify re-reads the key
    const { spy, release } = holdNextGetKey(store);
    const during = h.verifier.verify(key);
    await vi.waitFor(() => expect(spy).toHaveBeenCalledTimes(1));
    await h.manager.revoke(m.keyId); // another process, no invalidation reaches this verifier
    h.now.ms += 900; // the read answers 900 ms after it was asked for
    release();
    await during;
    h.now.ms += 100; // one TTL after the read was asked for: the revoke must be seen
    await expect(h.verifier.verify(key)).rejects.toEqual(code('REVOKED'));
  });

  it('a kill switch thrown while a cold compare is queued is seen when the compare ends', async () => {
    const h = harness();
    let release: () => void = () => {};
    let gate: Promise<void> | null = null;
    const slow: ApiKeyHasher = {
      hash: (k) => h.hasher.hash(k),
      dummyHash: () => h.hasher.dummyHash(),
      close: () => h.hasher.close(),
      verify: async (k, hash) => {
        await gate;
        return h.hasher.verify(k, hash);
      },
    };
    const verifier = h.newVerifier({ hasher: slow });
    const m = await h.manager.mint({ organizationId: 'org_q', env: 'live', name: 'n' });
    await verifier.verify(m.key.expose()); // the switches are read and fresh now
    gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const other = await h.manager.mint({ organizationId: 'org_q', env: 'live', name: 'n2' });
    const during = verifier.verify(other.key.expose());
    await h.manager.setGlobalKillSwitch(true);
    h.now.ms += 2000; // the compare queued for two seconds
    release();
    await expect(during).rejects.toEqual(code('KILL_SWITCH', { scope: 'global' }));
  });

  it('onChange wiring applies a kill at once, across verifiers', async () => {
    const store = createMemoryApiKeyStore();
    const h = harness({}, store);
    const verifiers = [h.newVerifier(), h.newVerifier()];
    const { createApiKeyManager } = await import('../src/index.js');
    const manager = createApiKeyManager({
      store,
      hasher: h.hasher,
      clock: h.clock,
      onChange: (change) => {
        for (const v of verifiers) v.invalidate(change);
      },
    });
    const m = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    for (const v of verifiers) await v.verify(m.key.expose());
    await manager.kill(m.keyId);
    for (const v of verifiers)
      await expect(v.verify(m.key.expose())).rejects.toEqual(code('KILL_SWITCH'));
    await manager.unkill(m.keyId);
    await manager.setGlobalKillSwitch(true);
    for (const v of verifiers)
      await expect(v.verify(m.key.expose())).rejects.toEqual(
        code('KILL_SWITCH', { scope: 'global' }),
      );
  });
});

describe('verifier: abuse limits', () => {
  it('throttles failed compares per key_id but never a key already verified in the cache', async () => {
    const h = harness();
    const hasher = counting(h.hasher);
    const verifier = h.newVerifier({ hasher, failedAttempts: { limit: 3, windowMs: 60_000 } });
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const key = m.key.expose();
    await verifier.verify(key);
    // Same key_id as the real key, wrong secret, valid checksum: made by rotating in a twin store.
    const twinStore = createMemoryApiKeyStore();
    const original = await h.store.getKey(m.keyId);
    if (original === null) throw new Error('minted key not stored');
    await twinStore.insertKey(original);
    const { createApiKeyManager } = await import('../src/index.js');
    const twin = createApiKeyManager({ store: twinStore, hasher: h.hasher });
    const wrong = (await twin.rotate(m.keyId)).key.expose();
    for (let i = 0; i < 3; i++)
      await expect(verifier.verify(wrong)).rejects.toEqual(code('UNAUTHENTICATED'));
    const compares = hasher.compares;
    await expect(verifier.verify(wrong)).rejects.toEqual(code('RATE_LIMITED'));
    const limited = await verifier
      .verify(wrong)
      .catch((e: { details: { retryAfterMs: number } }) => e.details.retryAfterMs);
    expect(limited).toBe(60_000);
    expect(hasher.compares).toBe(compares);
    // The real, cached key still works.
    expect((await verifier.verify(key)).keyId).toBe(m.keyId);
    h.now.ms += 60_000;
    await expect(verifier.verify(wrong)).rejects.toEqual(code('UNAUTHENTICATED'));
  });

  it('the throttle never refuses a key this verifier verified before, even after its entry aged out', async () => {
    const h = harness();
    const hasher = counting(h.hasher);
    const verifier = h.newVerifier({
      hasher,
      cache: { maxAgeMs: 10_000 },
      failedAttempts: { limit: 3, windowMs: 60_000 },
    });
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const key = m.key.expose();
    await verifier.verify(key);
    for (let i = 0; i < 3; i++) {
      await expect(verifier.verify(wrongSecretFor(key))).rejects.toEqual(code('UNAUTHENTICATED'));
    }
    await expect(verifier.verify(wrongSecretFor(key))).rejects.toEqual(code('RATE_LIMITED'));
    h.now.ms += 10_000; // the cached verification is too old to trust: the secret is compared again
    const before = hasher.compares;
    expect((await verifier.verify(key)).keyId).toBe(m.keyId);
    await vi.waitFor(() => expect(hasher.compares).toBe(before + 1));
    // The owner's success changes nothing a guesser sees: wrong secrets are still refused.
    await expect(verifier.verify(wrongSecretFor(key))).rejects.toEqual(code('RATE_LIMITED'));
    expect((await verifier.verify(key)).keyId).toBe(m.keyId); // cached: no compare, no throttle
    expect(hasher.compares).toBe(before + 1);
    // A verifier that never saw the key (a new process) throttles it too: the documented limit.
    const fresh = h.newVerifier({ failedAttempts: { limit: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) await fresh.verify(wrongSecretFor(key)).catch(() => {});
    await expect(fresh.verify(key)).rejects.toEqual(code('RATE_LIMITED'));
  });

  it('a verified key keeps its throttle bypass through a re-check that fails for a passing reason', async () => {
    const store = createMemoryApiKeyStore();
    const h = harness({}, store);
    const verifier = h.newVerifier({
      cache: { maxAgeMs: 10_000 },
      failedAttempts: { limit: 3, windowMs: 600_000 },
    });
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const key = m.key.expose();
    await verifier.verify(key);
    for (let i = 0; i < 3; i++) await verifier.verify(wrongSecretFor(key)).catch(() => {});
    h.now.ms += 10_000; // the entry ages out: the next request compares again
    // That re-check fails for a reason that says nothing about the secret: the store is down.
    vi.spyOn(store, 'getKey').mockRejectedValueOnce(new Error('connection reset'));
    await expect(verifier.verify(key)).rejects.toThrow('connection reset');
    // The owner is still recognised as verified before: compared, not RATE_LIMITED.
    expect((await verifier.verify(key)).keyId).toBe(m.keyId);
  });

  it('a rotation that ends the old secret removes its bypass: the old key is throttled like any other', async () => {
    const h = harness({ stateTtlMs: 0 });
    const verifier = h.newVerifier({
      cache: { maxAgeMs: 10_000 },
      failedAttempts: { limit: 2, windowMs: 600_000 },
    });
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const old = m.key.expose();
    await verifier.verify(old);
    await h.manager.rotate(m.keyId);
    h.now.ms += 10_000;
    for (let i = 0; i < 2; i++) {
      await expect(verifier.verify(old)).rejects.toEqual(code('UNAUTHENTICATED'));
    }
    await expect(verifier.verify(old)).rejects.toEqual(code('RATE_LIMITED'));
  });

  it('a clock that steps back ends a throttle window instead of stretching it', async () => {
    const h = harness();
    const verifier = h.newVerifier({ failedAttempts: { limit: 2, windowMs: 60_000 } });
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const wrong = wrongSecretFor(m.key.expose());
    for (let i = 0; i < 2; i++) await verifier.verify(wrong).catch(() => {});
    await expect(verifier.verify(wrong)).rejects.toEqual(code('RATE_LIMITED'));
    h.now.ms -= 3_600_000;
    const after = await verifier.verify(wrong).catch((e: { code: string; details?: unknown }) => e);
    expect(after).toEqual(code('UNAUTHENTICATED'));
  });

  it('inside a rotation grace period both compares run side by side', async () => {
    const h = harness({ stateTtlMs: 0 });
    let running = 0;
    let widest = 0;
    let compares = 0;
    const tracking: ApiKeyHasher = {
      hash: (key) => h.hasher.hash(key),
      dummyHash: () => h.hasher.dummyHash(),
      close: () => h.hasher.close(),
      verify: async (key, hash) => {
        compares += 1;
        running += 1;
        widest = Math.max(widest, running);
        try {
          return await h.hasher.verify(key, hash);
        } finally {
          running -= 1;
        }
      },
    };
    const verifier = h.newVerifier({ hasher: tracking, cache: false });
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const old = m.key.expose();
    const rotated = (await h.manager.rotate(m.keyId, { gracePeriodMs: 60_000 })).key.expose();
    for (const [key, expected] of [
      [old, 'ok'],
      [rotated, 'ok'],
      [wrongSecretFor(old), 'UNAUTHENTICATED'],
    ] as const) {
      compares = 0;
      widest = 0;
      const outcome = await verifier.verify(key).then(
        () => 'ok',
        (e: { code: string }) => e.code,
      );
      expect(outcome).toBe(expected);
      expect(compares).toBe(2);
      expect(widest).toBe(2);
    }
    // After the grace period: one compare again.
    h.now.ms += 60_000;
    compares = 0;
    await expect(verifier.verify(old)).rejects.toEqual(code('UNAUTHENTICATED'));
    expect(compares).toBe(1);
  });

  it('refuses at once with VERIFIER_BUSY when maxConcurrentCompares are running', async () => {
    const store = createMemoryApiKeyStore();
    const h = harness({}, store);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: ApiKeyHasher = {
      ...h.hasher,
      verify: async (key, hash) => {
        await gate;
        return h.hasher.verify(key, hash);
      },
      dummyHash: () => h.hasher.dummyHash(),
      hash: (key) => h.hasher.hash(key),
      close: () => h.hasher.close(),
    };
    const verifier = createApiKeyVerifier({
      store,
      hasher: slow,
      maxConcurrentCompares: 2,
      cache: false,
    });
    const keys = await Promise.all(
      [1, 2, 3].map(async (i) =>
        (await h.manager.mint({ organizationId: 'o', env: 'live', name: `${i}` })).key.expose(),
      ),
    );
    const running = [verifier.verify(keys[0]), verifier.verify(keys[1])];
    const busy = await verifier.verify(keys[2]).catch((e: unknown) => e);
    expect(busy).toEqual(code('VERIFIER_BUSY'));
    expect((busy as { retryable: boolean }).retryable).toBe(true);
    release();
    await Promise.all(running);
    expect((await verifier.verify(keys[2])).name).toBe('3');
  });

  it('updates last_used_at at most once a minute per key, off the request path', async () => {
    const store: ApiKeyStore = createMemoryApiKeyStore();
    const touch = vi.spyOn(store, 'touchKey');
    const h = harness({}, store);
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    let releaseTouch: () => void = () => {};
    touch.mockImplementationOnce(
      (keyId, at) =>
        new Promise<void>((resolve) => {
          releaseTouch = () => {
            void createMemoryApiKeyStore; // keep the spy's own behaviour for later calls
            resolve();
          };
          void keyId;
          void at;
        }),
    );
    // The write is pending forever, yet verify resolves: it is not awaited.
    await h.verifier.verify(m.key.expose());
    expect(touch).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 30; i++) {
      h.now.ms += 1000;
      await h.verifier.verify(m.key.expose());
    }
    expect(touch).toHaveBeenCalledTimes(1);
    h.now.ms += 30_000;
    await h.verifier.verify(m.key.expose());
    expect(touch).toHaveBeenCalledTimes(2);
    releaseTouch();
    expect((await store.getKey(m.keyId))?.lastUsedAt).toBe(h.now.ms);
    expect((await h.manager.get(m.keyId)).lastUsedAt?.getTime()).toBe(h.now.ms);
  });

  it('a failing last_used_at write reaches onBackgroundError and never the request', async () => {
    const store = createMemoryApiKeyStore();
    vi.spyOn(store, 'touchKey').mockRejectedValue(new Error('db down'));
    const h = harness({}, store);
    const errors: unknown[] = [];
    const verifier = h.newVerifier({ onBackgroundError: (e) => errors.push(e) });
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    expect((await verifier.verify(m.key.expose())).keyId).toBe(m.keyId);
    await new Promise((r) => setTimeout(r, 5));
    expect(errors).toHaveLength(1);
  });

  it.each([
    [{ cache: { maxEntries: -1 } }],
    [{ cache: { maxAgeMs: 0 } }],
    [{ stateTtlMs: 1.5 }],
    [{ maxConcurrentCompares: 0 }],
    [{ failedAttempts: { limit: 0 } }],
    [{ prefix: 'LP' }],
    [{ conflictingHeaders: 'first' }],
  ])('refuses malformed options %j with INVALID_INPUT', (bad) => {
    const h = harness();
    expect(() => h.newVerifier(bad as never)).toThrow(code('INVALID_INPUT'));
  });
});
