// The SQLite API key store beyond the conformance suite: several connections on one WAL file
// (check-and-set updates lose nothing, duplicate inserts have one winner, touches stay
// monotonic), the stored representation (integer times, 0/1 booleans, JSON text scopes), edge
// values, and the table's constraints.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore, type SqliteStore } from '../src/index.js';
import { apiKeyRecord, keyIdOf, T0 } from './api-key-record.js';
import { makeTempDir } from './temp-dir.js';

const HANDLES = 4;
const dir = makeTempDir('api-keys');
const filename = dir.file('keys.db');
let stores: SqliteStore[] = [];

function at(i: number): SqliteStore {
  const s = stores[i % HANDLES];
  if (s === undefined) throw new Error('no store');
  return s;
}

beforeAll(async () => {
  stores = Array.from({ length: HANDLES }, () => createSqliteStore({ filename }));
  await at(0).migrate();
});

afterAll(async () => {
  for (const s of stores) await s.close();
  dir.remove();
});

describe('SQLite ApiKeyStore, several connections on one WAL file', () => {
  it('40 concurrent updates from one revision across connections: exactly one wins', async () => {
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
    expect((await at(2).apiKeys.getKey(keyId))?.revision).toBe(101);
  });

  it('concurrent inserts of one keyId across connections: exactly one true, its record kept', async () => {
    const keyId = keyIdOf(3);
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        at(i).apiKeys.insertKey(apiKeyRecord(keyId, { name: `writer-${i}` })),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await at(0).apiKeys.getKey(keyId))?.name).toBe(`writer-${results.indexOf(true)}`);
  });

  it('concurrent touches across connections leave the latest time and the revision alone', async () => {
    const keyId = keyIdOf(4);
    await at(0).apiKeys.insertKey(apiKeyRecord(keyId));
    const times = Array.from({ length: 60 }, (_, i) => T0 + ((i * 7919) % 60) * 1000);
    await Promise.all(times.map((t, i) => at(i).apiKeys.touchKey(keyId, t)));
    const got = await at(3).apiKeys.getKey(keyId);
    expect(got?.lastUsedAt).toBe(Math.max(...times));
    expect(got?.revision).toBe(1);
    await at(0).apiKeys.touchKey(keyId, T0);
    expect((await at(0).apiKeys.getKey(keyId))?.lastUsedAt).toBe(Math.max(...times));
  });

  it('stores integer epoch ms, 0/1 booleans and scopes as JSON text', async () => {
    const keyId = keyIdOf(5);
    await at(0).apiKeys.insertKey(
      apiKeyRecord(keyId, { killed: true, lastUsedAt: T0 + 1, scopes: ['a:b', 'ü:✓'] }),
    );
    await at(0).apiKeys.setKillSwitch({ scope: 'organization', organizationId: 'org_9' }, true, T0);
    const raw = new Database(filename, { readonly: true });
    try {
      const row = raw
        .prepare(
          'select typeof(created_at) as t, created_at, killed, scopes, typeof(revision) as r, previous_secret_hash from coffer_api_key where key_id = ?',
        )
        .get(keyId);
      expect(row).toEqual({
        t: 'integer',
        created_at: T0,
        killed: 1,
        scopes: '["a:b","ü:✓"]',
        r: 'integer',
        previous_secret_hash: null,
      });
      expect(
        raw.prepare('select target, killed, updated_at from coffer_kill_switch').all(),
      ).toContainEqual({ target: 'organization:org_9', killed: 1, updated_at: T0 });
    } finally {
      raw.close();
    }
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
      rotatedAt: Number.MAX_SAFE_INTEGER,
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
    // A JavaScript caller may pass explicit undefined; it means "leave as is".
    const loose = { previousSecretHash: undefined, rotatedAt: null } as unknown as {
      rotatedAt: null;
    };
    expect(await at(0).apiKeys.updateKey(keyId, 1, loose)).toBe(true);
    expect(await at(0).apiKeys.updateKey(keyId, 2, {})).toBe(true);
    expect(await at(0).apiKeys.getKey(keyId)).toEqual({
      ...record,
      rotatedAt: null,
      revision: 3,
    });
    expect(await at(0).apiKeys.updateKey(keyId, 2, {})).toBe(false);
    expect(await at(0).apiKeys.updateKey(keyId, 1.5, {})).toBe(false);
  });

  it('insertKey starts every key at revision 1, whatever the record says', async () => {
    const keyId = keyIdOf(8);
    await at(0).apiKeys.insertKey(apiKeyRecord(keyId, { revision: 7 }));
    expect((await at(0).apiKeys.getKey(keyId))?.revision).toBe(1);
  });

  it('pages 2500 keys of one organization in limits of 1000, others left out', async () => {
    const store = at(0).apiKeys;
    const ids = Array.from({ length: 2500 }, (_, i) => `P${i.toString(36).padStart(15, '0')}`);
    for (const keyId of [...ids].reverse()) {
      await store.insertKey(apiKeyRecord(keyId, { organizationId: 'org_pages' }));
    }
    await store.insertKey(apiKeyRecord('Q000000000000000', { organizationId: 'org_other' }));
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await at(seen.length / 1000).apiKeys.listKeys({
        organizationId: 'org_pages',
        limit: 1000,
        ...(after === undefined ? {} : { afterKeyId: after }),
      });
      seen.push(...page.map((r) => r.keyId));
      if (page.length < 1000) break;
      after = page[page.length - 1]?.keyId;
    }
    expect(seen).toEqual([...ids].sort());
  });

  it("the table refuses a malformed row: env outside 'live'/'test', a key id not 16 long", async () => {
    const store = at(0).apiKeys;
    const bad = apiKeyRecord(keyIdOf(9), { env: 'prod' as 'live' });
    await expect(store.insertKey(bad)).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_CHECK' });
    await expect(store.insertKey(apiKeyRecord('short'))).rejects.toMatchObject({
      code: 'SQLITE_CONSTRAINT_CHECK',
    });
    expect(await store.getKey(keyIdOf(9))).toBeNull();
  });
});
