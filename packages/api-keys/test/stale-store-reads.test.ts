// A store behind a lagging read replica can answer a re-read with an older revision of a key than
// one this verifier has already judged on. Revocation is permanent and a rotation without grace
// ends the old secret: neither may be undone by a stale answer. The verifier never decides on a
// revision older than one it has seen for the key; if the store keeps answering with one, the
// request fails closed (503 UNAVAILABLE once it goes through apiKeyErrorResponse, retryable).
import { describe, expect, it, vi } from 'vitest';
import {
  type ApiKeyRecord,
  apiKeyErrorResponse,
  createMemoryApiKeyStore,
  type MemoryApiKeyStore,
} from '../src/index.js';
import { harness } from './helpers.js';

const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'accepted',
    (e: { code?: string; details?: { scope?: string } }) =>
      [e.code, e.details?.scope].filter(Boolean).join(':'),
  );

/** From now on every `getKey` for `keyId` answers `snapshot`, as a replica that stopped applying. */
function lagging(store: MemoryApiKeyStore, keyId: string, snapshot: ApiKeyRecord) {
  const getKey = store.getKey.bind(store);
  const spy = vi
    .spyOn(store, 'getKey')
    .mockImplementation(async (id) => (id === keyId ? { ...snapshot } : getKey(id)));
  return { spy, catchUp: () => spy.mockRestore() };
}

describe('a store read that goes back to an older revision', () => {
  it('a revoked key stays refused when a re-read returns the record from before the revoke', async () => {
    const store = createMemoryApiKeyStore();
    const h = harness({}, store);
    try {
      const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
      const key = m.key.expose();
      const before = await store.getKey(m.keyId);
      if (before === null) throw new Error('not stored');
      expect(await outcome(h.verifier.verify(key))).toBe('accepted');
      await h.manager.revoke(m.keyId); // made in another process: seen here after the state TTL
      h.now.ms += 1000;
      expect(await outcome(h.verifier.verify(key))).toBe('REVOKED');
      const replica = lagging(store, m.keyId, before);
      h.now.ms += 1000;
      const answer = await h.verifier.verify(key).catch((e: unknown) => e);
      expect(answer).toMatchObject({ code: 'STALE_STATE', retryable: true });
      // What the partner gets: a retryable 503 with nothing about the store in it.
      const response = apiKeyErrorResponse(answer, 'req_1');
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('UNAVAILABLE');
      expect(response.body.error.details).toEqual({});
      // However often it asks.
      for (let i = 0; i < 5; i++) {
        h.now.ms += 1000;
        expect(await outcome(h.verifier.verify(key))).not.toBe('accepted');
      }
      expect(replica.spy.mock.calls.length).toBeGreaterThan(0);
      // Once the replica has caught up, the answer is the stored one again.
      replica.catchUp();
      h.now.ms += 1000;
      expect(await outcome(h.verifier.verify(key))).toBe('REVOKED');
    } finally {
      await h.hasher.close();
    }
  });

  it('a secret rotated away (no grace) is not let back in by a stale read, cached or cold', async () => {
    const store = createMemoryApiKeyStore();
    const h = harness({}, store);
    try {
      const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
      const old = m.key.expose();
      const before = await store.getKey(m.keyId);
      if (before === null) throw new Error('not stored');
      expect(await outcome(h.verifier.verify(old))).toBe('accepted');
      const rotated = await h.manager.rotate(m.keyId);
      h.now.ms += 1000;
      // The new key is proven here, and the old one refused (its cache entry is dropped).
      expect(await outcome(h.verifier.verify(rotated.key.expose()))).toBe('accepted');
      expect(await outcome(h.verifier.verify(old))).toBe('UNAUTHENTICATED');
      // The replica falls back to before the rotation: the old secret matches what it says.
      lagging(store, m.keyId, before);
      h.now.ms += 1000;
      for (let i = 0; i < 3; i++) {
        expect(await outcome(h.verifier.verify(old))).not.toBe('accepted');
        h.now.ms += 1000;
      }
    } finally {
      await h.hasher.close();
    }
  });

  it('a stale answer to one re-read is simply read again: the request is decided on the current record', async () => {
    const store = createMemoryApiKeyStore();
    const h = harness({}, store);
    try {
      const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
      const key = m.key.expose();
      const before = await store.getKey(m.keyId);
      if (before === null) throw new Error('not stored');
      expect(await outcome(h.verifier.verify(key))).toBe('accepted');
      await h.manager.kill(m.keyId);
      h.now.ms += 1000;
      expect(await outcome(h.verifier.verify(key))).toBe('KILL_SWITCH:key');
      // One stale answer, then the replica has caught up.
      vi.spyOn(store, 'getKey').mockResolvedValueOnce({ ...before });
      h.now.ms += 1000;
      expect(await outcome(h.verifier.verify(key))).toBe('KILL_SWITCH:key');
    } finally {
      await h.hasher.close();
    }
  });
});
