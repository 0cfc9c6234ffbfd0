// What depends on the clock (expiry, the end of a rotation's grace period) is judged when the
// request is decided, after every state read it waited for — not when the decision began. A slow
// store answers the re-read of a cached key's record while the key expires (or its grace ends):
// the request must be refused. And a request whose compare was still queued when the global kill
// switch went on is answered 503 KILL_SWITCH like every other request, whatever its secret.
import { describe, expect, it, vi } from 'vitest';
import {
  type ApiKeyHasher,
  type ApiKeyVerifier,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
} from '../src/index.js';
import { harness, T0, wrongSecretFor } from './helpers.js';

const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'accepted',
    (e: { code?: string; details?: { reason?: string; scope?: string } }) =>
      [e.code, e.details?.reason ?? e.details?.scope].filter(Boolean).join(':'),
  );

/** Makes the next `getKey` read the record at once but answer only when `answer()` is called. */
function slowNextRead(store: ReturnType<typeof createMemoryApiKeyStore>) {
  const getKey = store.getKey.bind(store);
  let answer: () => void = () => {};
  const spy = vi.spyOn(store, 'getKey').mockImplementationOnce(async (id) => {
    const record = await getKey(id);
    await new Promise<void>((resolve) => {
      answer = resolve;
    });
    return record;
  });
  return { spy, answer: () => answer() };
}

describe('the clock is read when the request is decided, after the state reads it waited for', () => {
  it('a key that expires while the re-read of its record waits is refused as expired', async () => {
    const store = createMemoryApiKeyStore();
    const h = harness({}, store);
    try {
      const m = await h.manager.mint({
        organizationId: 'o',
        env: 'live',
        name: 'n',
        expiresAt: new Date(T0 + 1500),
      });
      const key = m.key.expose();
      expect(await outcome(h.verifier.verify(key))).toBe('accepted');
      h.now.ms += 1000; // the cached state is stale: the next request re-reads the record
      const slow = slowNextRead(store);
      const during = outcome(h.verifier.verify(key));
      await vi.waitFor(() => expect(slow.spy).toHaveBeenCalledTimes(1));
      h.now.ms += 2000; // the key expires while the store takes its time
      slow.answer();
      expect(await during).toBe('UNAUTHENTICATED:expired');
    } finally {
      await h.hasher.close();
    }
  });

  it("a rotation's grace period that ends while the re-read waits: the old secret is refused", async () => {
    const store = createMemoryApiKeyStore();
    const h = harness({}, store);
    try {
      const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
      const old = m.key.expose();
      expect(await outcome(h.verifier.verify(old))).toBe('accepted');
      await h.manager.rotate(m.keyId, { gracePeriodMs: 1500 });
      h.now.ms += 1000;
      const slow = slowNextRead(store);
      const during = outcome(h.verifier.verify(old));
      await vi.waitFor(() => expect(slow.spy).toHaveBeenCalledTimes(1));
      h.now.ms += 2000; // the grace period ends during the read
      slow.answer();
      expect(await during).toBe('UNAUTHENTICATED');
    } finally {
      await h.hasher.close();
    }
  });
});

describe('the global kill switch, thrown while compares are queued', () => {
  it('every queued request is 503 KILL_SWITCH, a wrong secret or an unknown key_id too', async () => {
    const store = createMemoryApiKeyStore();
    const inner = createBcryptHasher({ cost: 4, threads: 0 });
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const state = { waiting: 0 };
    const gated: ApiKeyHasher = {
      hash: (k) => inner.hash(k),
      dummyHash: () => inner.dummyHash(),
      close: () => inner.close(),
      verify: async (k, hash) => {
        state.waiting += 1;
        await gate;
        return inner.verify(k, hash);
      },
    };
    const now = { ms: T0 };
    const clock = (): number => now.ms;
    let verifier: ApiKeyVerifier | undefined;
    const manager = createApiKeyManager({
      store,
      hasher: inner,
      clock,
      onChange: (c) => verifier?.invalidate(c),
    });
    verifier = createApiKeyVerifier({ store, hasher: gated, clock });
    try {
      const m = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
      const key = m.key.expose();
      const other = await manager.mint({ organizationId: 'o', env: 'live', name: 'n2' });
      const unknownId = wrongSecretFor(key).replace(m.keyId, 'ZZZZZZZZZZZZZZZZ');
      const queued = [key, wrongSecretFor(key), wrongSecretFor(other.key.expose())].map((k) =>
        outcome(verifier.verify(k)),
      );
      await vi.waitFor(() => expect(state.waiting).toBe(3));
      await manager.setGlobalKillSwitch(true);
      open();
      expect(await Promise.all(queued)).toEqual([
        'KILL_SWITCH:global',
        'KILL_SWITCH:global',
        'KILL_SWITCH:global',
      ]);
      // As for requests that arrive now (the same answer a malformed or unknown key gets).
      expect(await outcome(verifier.verify(unknownId))).toBe('KILL_SWITCH:global');
    } finally {
      await inner.close();
    }
  });
});
