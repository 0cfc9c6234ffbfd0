// Verifiers in two processes (two pools) on one PostgreSQL database: requests queued for their
// bcrypt compare on one while the other revokes, kills or rotates the key. Once the change is
// visible there — the state TTL has passed, or a change feed delivered it to `invalidate` — not
// one queued request may be accepted: each is judged on the record as it is when its compare ends.
import {
  type ApiKeyHasher,
  type ApiKeyVerifier,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
} from '@coffer/api-keys';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { createPostgresStore, type PostgresStore } from '../src/index.js';

let database: TestDatabase;
let admin: PostgresStore;
let api: PostgresStore;

beforeAll(async () => {
  database = await createTestDatabase('pg_api_key_queue');
  admin = createPostgresStore({ connectionString: database.url, poolSize: 4 });
  api = createPostgresStore({ connectionString: database.url, poolSize: 4 });
  await admin.migrate();
});

afterAll(async () => {
  await admin?.close();
  await api?.close();
  await database?.drop();
});

/** A real bcrypt worker thread whose compares wait at a gate: a pool with a queue in front. */
function gated(inner: ApiKeyHasher) {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
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
  return { hasher, state, release: () => open() };
}

const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'accepted',
    (e: { code?: string; details?: { scope?: string } }) =>
      `${e.code}${e.details?.scope ? `:${e.details.scope}` : ''}`,
  );

describe.each([
  { feed: false, how: 'no change feed: visible once the state TTL has passed' },
  { feed: true, how: 'a change feed delivers the change to invalidate()' },
])('queued compares on one pool, changes made through the other ($how)', ({ feed }) => {
  it('revoke, kill and rotate (no grace): none of the queued requests is accepted', async () => {
    const hasher = createBcryptHasher({ cost: 6, threads: 1 });
    const gate = gated(hasher);
    const now = { ms: Date.now() };
    const clock = (): number => now.ms;
    let remote: ApiKeyVerifier | undefined;
    try {
      // The manager's process publishes its changes; with a feed, the API process receives them.
      const manager = createApiKeyManager({
        store: admin.apiKeys,
        hasher,
        clock,
        ...(feed ? { onChange: (change) => remote?.invalidate(change) } : {}),
      });
      remote = createApiKeyVerifier({ store: api.apiKeys, hasher: gate.hasher, clock });
      const org = `org_queue_${feed ? 'feed' : 'ttl'}`;
      const keys = [];
      for (let i = 0; i < 7; i++) {
        keys.push(await manager.mint({ organizationId: org, env: 'live', name: `k${i}` }));
      }
      const queued = keys.map((m) => outcome((remote as ApiKeyVerifier).verify(m.key.expose())));
      await vi.waitFor(() => expect(gate.state.waiting).toBe(keys.length));
      const [r1, r2, k1, k2, o1, o2] = keys;
      if (!r1 || !r2 || !k1 || !k2 || !o1 || !o2) throw new Error('not minted');
      await manager.revoke(r1.keyId);
      await manager.revoke(r2.keyId);
      await manager.kill(k1.keyId);
      await manager.kill(k2.keyId);
      await manager.rotate(o1.keyId);
      await manager.rotate(o2.keyId);
      if (!feed) now.ms += 1000; // the default state TTL
      gate.release();
      expect(await Promise.all(queued)).toEqual([
        'REVOKED',
        'REVOKED',
        'KILL_SWITCH:key',
        'KILL_SWITCH:key',
        'UNAUTHENTICATED',
        'UNAUTHENTICATED',
        'accepted',
      ]);
    } finally {
      await hasher.close();
    }
  });

  it('an organization and a global kill switch thrown while requests are queued', async () => {
    const hasher = createBcryptHasher({ cost: 6, threads: 1 });
    const gate = gated(hasher);
    const now = { ms: Date.now() };
    const clock = (): number => now.ms;
    let remote: ApiKeyVerifier | undefined;
    try {
      const manager = createApiKeyManager({
        store: admin.apiKeys,
        hasher,
        clock,
        ...(feed ? { onChange: (change) => remote?.invalidate(change) } : {}),
      });
      remote = createApiKeyVerifier({ store: api.apiKeys, hasher: gate.hasher, clock });
      const org = `org_switch_${feed ? 'feed' : 'ttl'}`;
      const keys = [];
      for (let i = 0; i < 4; i++) {
        keys.push(await manager.mint({ organizationId: org, env: 'live', name: `k${i}` }));
      }
      const queued = keys.map((m) => outcome((remote as ApiKeyVerifier).verify(m.key.expose())));
      await vi.waitFor(() => expect(gate.state.waiting).toBe(keys.length));
      await manager.setOrganizationKillSwitch(org, true);
      if (!feed) now.ms += 1000;
      gate.release();
      expect(new Set(await Promise.all(queued))).toEqual(new Set(['KILL_SWITCH:organization']));
      await manager.setOrganizationKillSwitch(org, false);
      await manager.setGlobalKillSwitch(true);
      try {
        now.ms += 1000;
        for (const m of keys) {
          expect(await outcome((remote as ApiKeyVerifier).verify(m.key.expose()))).toBe(
            'KILL_SWITCH:global',
          );
        }
      } finally {
        await manager.setGlobalKillSwitch(false);
      }
    } finally {
      await hasher.close();
    }
  });
});
