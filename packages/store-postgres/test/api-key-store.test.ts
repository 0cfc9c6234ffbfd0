// The PostgreSQL API key store beyond the conformance suite: connections from two pools (as two
// processes would have) — check-and-set updates lose nothing, duplicate inserts have one winner,
// touches stay monotonic — the stored representation (timestamptz, boolean, jsonb), byte-wise
// key_id order whatever the database collation, text PostgreSQL cannot hold, and constraints.
import { createApiKeyManager, createApiKeyVerifier, createBcryptHasher } from '@coffer/api-keys';
import { isCofferError } from '@coffer/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { apiKeyRecord, keyIdOf, T0 } from './api-key-record.js';

let database: TestDatabase;
let stores: PostgresStore[] = [];

function at(i: number): PostgresStore {
  const s = stores[i % stores.length];
  if (s === undefined) throw new Error('no store');
  return s;
}

beforeAll(async () => {
  database = await createTestDatabase('pg_api_keys');
  stores = [0, 1].map(() =>
    createPostgresStore({ connectionString: database.url, poolSize: 10, schema: 'app' }),
  );
  await at(0).migrate();
});

afterAll(async () => {
  for (const s of stores) await s.close();
  await database?.drop();
});

describe('verifiers in two processes (two pools) on one PostgreSQL database', () => {
  it('a kill, an organization kill and a revoke made through one pool apply within the state TTL on the other', async () => {
    const hasher = createBcryptHasher({ cost: 4, threads: 1 });
    const now = { ms: Date.now() };
    const clock = (): number => now.ms;
    try {
      const admin = createApiKeyManager({ store: at(0).apiKeys, hasher, clock });
      const local = createApiKeyVerifier({ store: at(0).apiKeys, hasher, clock });
      const remote = createApiKeyVerifier({ store: at(1).apiKeys, hasher, clock });
      const m = await admin.mint({ organizationId: 'org_two_pools', env: 'live', name: 'n' });
      const key = m.key.expose();
      for (const v of [local, remote]) expect((await v.verify(key)).keyId).toBe(m.keyId);
      const refusedBy = async (code: string): Promise<void> => {
        for (const v of [local, remote]) {
          await expect(v.verify(key)).rejects.toMatchObject({ code });
        }
      };

      await admin.kill(m.keyId);
      now.ms += 999;
      expect((await remote.verify(key)).keyId).toBe(m.keyId); // within the TTL: not seen yet
      now.ms += 1;
      await refusedBy('KILL_SWITCH');
      await admin.unkill(m.keyId);
      now.ms += 1000;
      await admin.setOrganizationKillSwitch('org_two_pools', true);
      now.ms += 1000;
      await expect(remote.verify(key)).rejects.toMatchObject({
        code: 'KILL_SWITCH',
        details: { scope: 'organization' },
      });
      await admin.setOrganizationKillSwitch('org_two_pools', false);
      await admin.setGlobalKillSwitch(true);
      now.ms += 1000;
      await expect(remote.verify(key)).rejects.toMatchObject({
        code: 'KILL_SWITCH',
        details: { scope: 'global' },
      });
      await admin.setGlobalKillSwitch(false);
      await admin.revoke(m.keyId);
      now.ms += 1000;
      await refusedBy('REVOKED');
    } finally {
      await hasher.close();
    }
  });
});

describe('PostgreSQL ApiKeyStore, 20 pooled connections in two pools', () => {
  it('40 concurrent updates from one revision across pools: exactly one wins', async () => {
    const keyId = keyIdOf(1);
    expect(await at(0).apiKeys.insertKey(apiKeyRecord(keyId))).toBe(true);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        at(i).apiKeys.updateKey(keyId, 1, { secretHash: `hash-${i}` }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const got = await at(1).apiKeys.getKey(keyId);
    expect(got?.secretHash).toBe(`hash-${results.indexOf(true)}`);
    expect(got?.revision).toBe(2);
  });

  it('100 concurrent writers each retrying until they win: revision 101, no update lost', async () => {
    const keyId = keyIdOf(2);
    await at(0).apiKeys.insertKey(apiKeyRecord(keyId));
    const wins = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const store = at(i).apiKeys;
        for (let attempt = 0; ; attempt++) {
          const current = await store.getKey(keyId);
          if (current === null) throw new Error('vanished');
          if (await store.updateKey(keyId, current.revision, { rotatedAt: T0 + i })) return attempt;
        }
      }),
    );
    expect(wins).toHaveLength(100);
    expect((await at(1).apiKeys.getKey(keyId))?.revision).toBe(101);
  });

  it('concurrent inserts of one keyId across pools: exactly one true, its record kept', async () => {
    const keyId = keyIdOf(3);
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        at(i).apiKeys.insertKey(apiKeyRecord(keyId, { name: `writer-${i}` })),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await at(0).apiKeys.getKey(keyId))?.name).toBe(`writer-${results.indexOf(true)}`);
  });

  it('concurrent touches across pools leave the latest time and the revision alone', async () => {
    const keyId = keyIdOf(4);
    await at(0).apiKeys.insertKey(apiKeyRecord(keyId));
    const times = Array.from({ length: 60 }, (_, i) => T0 + ((i * 7919) % 60) * 1000);
    await Promise.all(times.map((t, i) => at(i).apiKeys.touchKey(keyId, t)));
    const got = await at(1).apiKeys.getKey(keyId);
    expect(got?.lastUsedAt).toBe(Math.max(...times));
    expect(got?.revision).toBe(1);
  });

  it('concurrent kill switch writes across pools: the switch ends in one of the written states', async () => {
    const target = { scope: 'organization', organizationId: 'org_race' } as const;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        at(i).apiKeys.setKillSwitch(target, i % 2 === 0, T0 + i),
      ),
    );
    expect(typeof (await at(0).apiKeys.getKillSwitch(target))).toBe('boolean');
    await at(1).apiKeys.setKillSwitch(target, true, T0 + 100);
    expect(await at(0).apiKeys.getKillSwitch(target)).toBe(true);
  });

  it('stores timestamptz, boolean, jsonb and bigint', async () => {
    const keyId = keyIdOf(5);
    await at(0).apiKeys.insertKey(
      apiKeyRecord(keyId, { killed: true, lastUsedAt: T0 + 1, scopes: ['a:b', 'ü:✓'] }),
    );
    const row = await sql<Record<string, unknown>>`
      select created_at = to_timestamp(${T0 / 1000}) as created_ok, killed,
             jsonb_typeof(scopes) as scopes_type, scopes, pg_typeof(revision)::text as revision_type
      from app.coffer_api_key where key_id = ${keyId}`.execute(at(0).db);
    expect(row.rows[0]).toEqual({
      created_ok: true,
      killed: true,
      scopes_type: 'array',
      scopes: ['a:b', 'ü:✓'],
      revision_type: 'bigint',
    });
    await at(0).apiKeys.setKillSwitch({ scope: 'global' }, true, T0);
    const sw = await sql<Record<string, unknown>>`
      select killed, updated_at = to_timestamp(${T0 / 1000}) as updated_ok
      from app.coffer_kill_switch where target = 'global'`.execute(at(0).db);
    expect(sw.rows[0]).toEqual({ killed: true, updated_ok: true });
  });

  it('round-trips edge values: empty and unicode text, empty scopes, extreme times', async () => {
    const keyId = keyIdOf(6);
    const record = apiKeyRecord(keyId, {
      organizationId: '組織 🚀',
      name: '',
      scopes: [],
      previousSecretHash: '',
      previousSecretExpiresAt: 0,
      createdAt: -1,
      expiresAt: 8.64e15,
      env: 'test',
    });
    expect(await at(0).apiKeys.insertKey(record)).toBe(true);
    expect(await at(1).apiKeys.getKey(keyId)).toEqual(record);
    expect(await at(1).apiKeys.listKeys({ organizationId: '組織 🚀', limit: 5 })).toEqual([record]);
  });

  it('updateKey: absent (or undefined) fields stay, null clears, an empty change only bumps', async () => {
    const keyId = keyIdOf(7);
    const record = apiKeyRecord(keyId, {
      previousSecretHash: 'prev',
      previousSecretExpiresAt: T0 + 5,
      rotatedAt: T0 + 6,
    });
    await at(0).apiKeys.insertKey(record);
    const loose = { previousSecretHash: undefined, rotatedAt: null } as unknown as {
      rotatedAt: null;
    };
    expect(await at(0).apiKeys.updateKey(keyId, 1, loose)).toBe(true);
    expect(await at(0).apiKeys.updateKey(keyId, 2, {})).toBe(true);
    expect(await at(0).apiKeys.getKey(keyId)).toEqual({ ...record, rotatedAt: null, revision: 3 });
    expect(await at(0).apiKeys.updateKey(keyId, 2, {})).toBe(false);
    expect(await at(0).apiKeys.updateKey(keyId, 1.5, {})).toBe(false);
  });

  it('lists key ids in byte order (collation "C"), the order JavaScript sorts them in', async () => {
    const ids = ['aaaaaaaaaaaaaaaa', 'BBBBBBBBBBBBBBBB', '0000000000000000', 'Zzzzzzzzzzzzzzzz'];
    for (const keyId of ids) {
      await at(0).apiKeys.insertKey(apiKeyRecord(keyId, { organizationId: 'org_collate' }));
    }
    const first = await at(0).apiKeys.listKeys({ organizationId: 'org_collate', limit: 2 });
    const rest = await at(1).apiKeys.listKeys({
      organizationId: 'org_collate',
      limit: 10,
      afterKeyId: first[1]?.keyId ?? '',
    });
    expect([...first, ...rest].map((r) => r.keyId)).toEqual([...ids].sort());
    // The test server's own collation may already be C; the column's is C regardless.
    const collation = await sql<{ collation_name: string }>`
      select collation_name from information_schema.columns
      where table_schema = 'app' and table_name = 'coffer_api_key' and column_name = 'key_id'`.execute(
      at(0).db,
    );
    expect(collation.rows).toEqual([{ collation_name: 'C' }]);
  });

  it('text PostgreSQL cannot hold (U+0000): writes refused with INVALID_INPUT, reads find nothing', async () => {
    const store = at(0).apiKeys;
    for (const bad of [
      apiKeyRecord('NUL0000000000000', { name: 'a\u0000b' }),
      apiKeyRecord('NUL0000000000001', { scopes: ['x\u0000'] }),
      apiKeyRecord('NUL00000000000\u00002'),
    ]) {
      const error = await store.insertKey(bad).catch((e: unknown) => e);
      expect(isCofferError(error, 'INVALID_INPUT'), String(error)).toBe(true);
    }
    expect(await store.getKey('NUL0000000000000')).toBeNull();
    expect(await store.getKey('NUL00000000000\u00002')).toBeNull();
    expect(await store.updateKey('NUL00000000000\u00002', 1, { killed: true })).toBe(false);
    await store.touchKey('NUL00000000000\u00002', T0);
    expect(await store.listKeys({ organizationId: 'org\u0000', limit: 5 })).toEqual([]);
    expect(await store.getKillSwitch({ scope: 'organization', organizationId: 'o\u0000' })).toBe(
      false,
    );
  });

  it("the table refuses a malformed row: env outside 'live'/'test', a key id not 16 long", async () => {
    const store = at(0).apiKeys;
    await expect(
      store.insertKey(apiKeyRecord(keyIdOf(9), { env: 'prod' as 'live' })),
    ).rejects.toMatchObject({ code: '23514' });
    await expect(store.insertKey(apiKeyRecord('short'))).rejects.toMatchObject({ code: '23514' });
    expect(await store.getKey(keyIdOf(9))).toBeNull();
  });
});
