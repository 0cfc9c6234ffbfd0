// The wall clock can step back (NTP, a VM restored from a snapshot, an operator fixing the time).
// Whatever was read or verified "in the future" then counts as stale, which is the safe reading —
// but it must be repaired by the next read or re-compare, not stay stale until the clock catches
// up: a busy key must not cost a store read per request, nor wait for a bcrypt compare per entry.
import { describe, expect, it, vi } from 'vitest';
import {
  type ApiKeyHasher,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
} from '../src/index.js';
import { T0 } from './helpers.js';

function setup() {
  const store = createMemoryApiKeyStore();
  const inner = createBcryptHasher({ cost: 4, threads: 0 });
  let open: () => void = () => {};
  let gate: Promise<void> = Promise.resolve();
  const compares = { count: 0 };
  const hasher: ApiKeyHasher = {
    hash: (k) => inner.hash(k),
    dummyHash: () => inner.dummyHash(),
    close: () => inner.close(),
    verify: async (k, hash) => {
      compares.count += 1;
      await gate;
      return inner.verify(k, hash);
    },
  };
  const now = { ms: T0 };
  const clock = (): number => now.ms;
  const verifier = createApiKeyVerifier({ store, hasher, clock });
  const manager = createApiKeyManager({
    store,
    hasher: inner,
    clock,
    onChange: (c) => verifier.invalidate(c),
  });
  const hold = (): void => {
    gate = new Promise<void>((resolve) => {
      open = resolve;
    });
  };
  return { store, inner, verifier, manager, now, compares, hold, release: () => open() };
}

describe('the clock steps back an hour', () => {
  it('a busy key is read from the store once, not once per request', async () => {
    const s = setup();
    try {
      const m = await s.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
      const key = m.key.expose();
      await s.verifier.verify(key);
      await new Promise((resolve) => setTimeout(resolve, 10)); // the background re-compare, if any
      const reads = vi.spyOn(s.store, 'getKey');
      s.now.ms -= 3_600_000;
      for (let i = 0; i < 50; i++) {
        expect((await s.verifier.verify(key)).keyId).toBe(m.keyId);
        s.now.ms += 1; // the clock keeps running, an hour behind
      }
      // The first request re-reads (what was read "in the future" is stale); the rest use it.
      expect(reads.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      await s.inner.close();
    }
  });

  it('cached keys keep answering while they are compared again; nobody waits for bcrypt', async () => {
    const s = setup();
    try {
      const m = await s.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
      const key = m.key.expose();
      await s.verifier.verify(key);
      const before = s.compares.count;
      s.hold(); // compares now wait: a request that needs one cannot settle
      s.now.ms -= 3_600_000;
      let settled = 'pending';
      const answer = s.verifier.verify(key).then(
        (k) => {
          settled = k.keyId;
        },
        (e: { code?: string }) => {
          settled = String(e.code);
        },
      );
      // It is compared again, in the background…
      await vi.waitFor(() => expect(s.compares.count).toBe(before + 1));
      // …and answered from the entry meanwhile.
      await vi.waitFor(() => expect(settled).toBe(m.keyId));
      s.release();
      await answer;
      // A revoke still applies at once.
      await s.manager.revoke(m.keyId);
      await expect(s.verifier.verify(key)).rejects.toMatchObject({ code: 'REVOKED' });
    } finally {
      s.release();
      await s.inner.close();
    }
  });
});
