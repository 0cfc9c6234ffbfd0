// Item: a request that queued for its compare is judged on the key's state when the compare ends,
// not on the record read when it arrived. Revoke, kill and rotate while compares are held behind a
// slow hasher: once the change is visible (invalidated in this process, or older than the state
// TTL for a change made elsewhere), not one of the queued requests may be accepted.
import { describe, expect, it, vi } from 'vitest';
import {
  type ApiKeyHasher,
  type ApiKeyVerifier,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
} from '../src/index.js';
import { T0 } from './helpers.js';

/** A hasher whose compares wait at a gate until `release()`: compares queued behind a slow pool. */
function gated(inner: ApiKeyHasher) {
  let open: () => void = () => {};
  let gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const state = { waiting: 0 };
  const hasher: ApiKeyHasher = {
    hash: (key) => inner.hash(key),
    dummyHash: () => inner.dummyHash(),
    close: () => inner.close(),
    verify: async (key, hash) => {
      state.waiting += 1;
      await gate;
      return inner.verify(key, hash);
    },
  };
  return {
    hasher,
    state,
    release: () => open(),
    close: () => {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
    },
  };
}

const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'accepted',
    (e: { code?: string; details?: { scope?: string } }) =>
      `${e.code}${e.details?.scope ? `:${e.details.scope}` : ''}`,
  );

async function scenario(options: { wired: boolean; cache: boolean }) {
  const store = createMemoryApiKeyStore();
  const inner = createBcryptHasher({ cost: 4, threads: 0 });
  const gate = gated(inner);
  const now = { ms: T0 };
  const clock = (): number => now.ms;
  let verifier: ApiKeyVerifier | undefined;
  const manager = createApiKeyManager({
    store,
    hasher: inner,
    clock,
    ...(options.wired ? { onChange: (c) => verifier?.invalidate(c) } : {}),
  });
  verifier = createApiKeyVerifier({
    store,
    hasher: gate.hasher,
    clock,
    ...(options.cache ? {} : { cache: false as const }),
  });
  const keys = [];
  for (let i = 0; i < 8; i++) {
    keys.push(await manager.mint({ organizationId: 'org_q', env: 'live', name: `k${i}` }));
  }
  return { store, inner, gate, now, verifier, manager, keys };
}

describe.each([
  { wired: true, cache: true, how: 'in-process, onChange wired to invalidate' },
  { wired: true, cache: false, how: 'in-process, onChange wired, cache off' },
  { wired: false, cache: true, how: 'another process: seen once the state TTL has passed' },
])('a change made while compares are queued ($how)', ({ wired, cache }) => {
  it('revoke, kill and rotate (no grace): no queued request is accepted once the change is visible', async () => {
    const s = await scenario({ wired, cache });
    try {
      const [r1, r2, k1, k2, o1, o2, g1, untouched] = s.keys;
      if (r1 === undefined || r2 === undefined || k1 === undefined || k2 === undefined)
        throw new Error('not minted');
      if (o1 === undefined || o2 === undefined || g1 === undefined || untouched === undefined)
        throw new Error('not minted');
      const queued = s.keys.map((m) => outcome(s.verifier.verify(m.key.expose())));
      // Every request has read its record and waits for its compare.
      await vi.waitFor(() => expect(s.gate.state.waiting).toBe(s.keys.length));
      await s.manager.revoke(r1.keyId);
      await s.manager.revoke(r2.keyId);
      await s.manager.kill(k1.keyId);
      await s.manager.kill(k2.keyId);
      await s.manager.rotate(o1.keyId);
      await s.manager.rotate(o2.keyId);
      // A rotation with grace: the old secret is judged on the fresh record, inside its grace.
      await s.manager.rotate(g1.keyId, { gracePeriodMs: 60_000 });
      if (!wired) s.now.ms += 1000; // the state TTL: another process's change is now visible here
      s.gate.release();
      expect(await Promise.all(queued)).toEqual([
        'REVOKED',
        'REVOKED',
        'KILL_SWITCH:key',
        'KILL_SWITCH:key',
        'UNAUTHENTICATED',
        'UNAUTHENTICATED',
        'accepted',
        'accepted',
      ]);
      // And nothing the queued requests left behind lets a later request in.
      const later = await Promise.all(
        s.keys.map((m) => outcome(s.verifier.verify(m.key.expose()))),
      );
      expect(later.slice(0, 6)).toEqual([
        'REVOKED',
        'REVOKED',
        'KILL_SWITCH:key',
        'KILL_SWITCH:key',
        'UNAUTHENTICATED',
        'UNAUTHENTICATED',
      ]);
    } finally {
      await s.inner.close();
    }
  });

  it('a grace period that ends while the compare is queued is over when it is judged', async () => {
    const s = await scenario({ wired, cache });
    try {
      const m = s.keys[0];
      if (m === undefined) throw new Error('not minted');
      await s.manager.rotate(m.keyId, { gracePeriodMs: 500 });
      // The request arrives inside the grace period and reads the record there.
      const queued = outcome(s.verifier.verify(m.key.expose()));
      await vi.waitFor(() => expect(s.gate.state.waiting).toBe(2));
      s.now.ms += 1000;
      s.gate.release();
      expect(await queued).toBe('UNAUTHENTICATED');
    } finally {
      await s.inner.close();
    }
  });

  it('an organization kill switch thrown while the compares are queued', async () => {
    const s = await scenario({ wired, cache });
    try {
      // Read the organization's switch once, so it is cached as off.
      const first = s.keys[7];
      if (first === undefined) throw new Error('not minted');
      s.gate.release();
      await s.verifier.verify(first.key.expose());
      s.gate.close();
      s.gate.state.waiting = 0;
      const queued = s.keys.slice(0, 7).map((m) => outcome(s.verifier.verify(m.key.expose())));
      await vi.waitFor(() => expect(s.gate.state.waiting).toBe(7));
      await s.manager.setOrganizationKillSwitch('org_q', true);
      if (!wired) s.now.ms += 1000;
      s.gate.release();
      expect(new Set(await Promise.all(queued))).toEqual(new Set(['KILL_SWITCH:organization']));
    } finally {
      await s.inner.close();
    }
  });
});

describe('a change made while a state read is under way', () => {
  it('a revoke announced while the record read is in flight: that read is not used to decide', async () => {
    const s = await scenario({ wired: true, cache: true });
    try {
      const m = s.keys[0];
      if (m === undefined) throw new Error('not minted');
      s.gate.release();
      await s.verifier.verify(m.key.expose());
      const getKey = s.store.getKey.bind(s.store);
      let letGo: () => void = () => {};
      const spy = vi.spyOn(s.store, 'getKey').mockImplementationOnce(async (id) => {
        const before = await getKey(id);
        await new Promise<void>((resolve) => {
          letGo = resolve;
        });
        return before;
      });
      s.now.ms += 1000; // stale: the next request re-reads the record
      const during = outcome(s.verifier.verify(m.key.expose()));
      await vi.waitFor(() => expect(spy).toHaveBeenCalledTimes(1));
      await s.manager.revoke(m.keyId);
      letGo();
      expect(await during).toBe('REVOKED');
    } finally {
      await s.inner.close();
    }
  });
});

describe('a change made while an aged entry waits for its re-compare', () => {
  it('past twice maxAgeMs the request waits for the re-compare and is judged after it', async () => {
    const store = createMemoryApiKeyStore();
    const inner = createBcryptHasher({ cost: 4, threads: 0 });
    const gate = gated(inner);
    const now = { ms: T0 };
    const clock = (): number => now.ms;
    let verifier: ApiKeyVerifier | undefined;
    const manager = createApiKeyManager({
      store,
      hasher: inner,
      clock,
      onChange: (c) => verifier?.invalidate(c),
    });
    verifier = createApiKeyVerifier({
      store,
      hasher: gate.hasher,
      clock,
      cache: { maxAgeMs: 10_000 },
    });
    try {
      const m = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
      gate.release();
      await verifier.verify(m.key.expose());
      gate.close();
      gate.state.waiting = 0;
      now.ms += 20_000; // twice maxAgeMs: no longer answered from the entry alone
      const waiting = outcome(verifier.verify(m.key.expose()));
      await vi.waitFor(() => expect(gate.state.waiting).toBe(1));
      await manager.revoke(m.keyId);
      gate.release();
      expect(await waiting).toBe('REVOKED');
    } finally {
      await inner.close();
    }
  });
});
