// What only SQLite does, beyond the shared suite: separate handles really are separate connections
// on one WAL file, STRICT tables with integer times, 0/1 booleans, JSON text and blobs, times up to
// Number.MAX_SAFE_INTEGER, and the quick path's statement cache.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyRecord, keyIdOf, T0 } from '../../store-kysely/test-support/index.js';
import { createSqliteStore, type SqliteStore } from '../src/index.js';
import { makeTempDir } from './temp-dir.js';

const dir = makeTempDir('specific');
const filename = dir.file('specific.db');
let stores: SqliteStore[] = [];

beforeAll(async () => {
  stores = [0, 1].map(() => createSqliteStore({ filename }));
  await stores[0]?.migrate();
});
afterAll(async () => {
  for (const s of stores) await s.close();
  dir.remove();
});

function at(i: number): SqliteStore {
  const s = stores[i];
  if (s === undefined) throw new Error('no store');
  return s;
}

describe('SQLite storage', () => {
  it('separate stores on one file are separate connections, in WAL mode', () => {
    const probe = new Database(filename, { readonly: true });
    try {
      expect(probe.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      probe.close();
    }
    expect(at(0).db).not.toBe(at(1).db);
  });

  it('uses STRICT tables, integer times and blobs', () => {
    const raw = new Database(filename, { readonly: true });
    try {
      const tables = raw
        .prepare(
          "select name, sql from sqlite_master where type = 'table' and name like 'coffer\\_%' escape '\\' and name not like '%migration%' order by name",
        )
        .all() as Array<{ name: string; sql: string }>;
      expect(tables.map((t) => t.name)).toEqual([
        'coffer_api_key',
        'coffer_api_key_audit',
        'coffer_kill_switch',
        'coffer_vault_entries',
        'coffer_vault_versions',
      ]);
      for (const t of tables) expect(t.sql).toMatch(/\)\s*strict$/);
      const versions = tables.find((t) => t.name === 'coffer_vault_versions')?.sql;
      expect(versions).toMatch(/sealed blob not null/);
      expect(versions).toMatch(/created_at integer not null/);
      const keys = tables.find((t) => t.name === 'coffer_api_key')?.sql;
      expect(keys).toMatch(/killed integer not null default 0/);
      expect(keys).toMatch(/scopes text not null/);
    } finally {
      raw.close();
    }
  });

  it('stores API keys as integer epoch ms, 0/1 booleans and scopes as JSON text', async () => {
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

  it('round-trips times up to Number.MAX_SAFE_INTEGER', async () => {
    const record = apiKeyRecord(keyIdOf(6), {
      expiresAt: Number.MAX_SAFE_INTEGER,
      rotatedAt: -Number.MAX_SAFE_INTEGER,
    });
    expect(await at(0).apiKeys.insertKey(record)).toBe(true);
    expect(await at(1).apiKeys.getKey(keyIdOf(6))).toEqual(record);
  });
});
