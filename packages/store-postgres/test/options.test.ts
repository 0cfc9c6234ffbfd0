// createPostgresStore: hostile options are refused with typed errors before a pool is opened;
// close() owns only what it opened; a server that does not answer surfaces as an error, not a hang.
import { isCofferError } from '@coffer/core';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { createPostgresStore, type PostgresStoreOptions } from '../src/index.js';

let database: TestDatabase;
let db: Kysely<unknown>;
beforeAll(async () => {
  database = await createTestDatabase('pg_options');
  db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2 }) }),
  });
});
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isCofferError(e) ? e.code : `untyped: ${String(e)}`;
  }
  return undefined;
}

describe('createPostgresStore options', () => {
  const url = 'postgres://nobody@127.0.0.1:1/none';
  const hostile: Array<[string, unknown]> = [
    ['nothing', undefined],
    ['null', null],
    ['a string', url],
    ['neither db nor connectionString', {}],
    ['both', { db: {}, connectionString: url }],
    ['empty connectionString', { connectionString: '' }],
    ['numeric connectionString', { connectionString: 5432 }],
    ['zero poolSize', { connectionString: url, poolSize: 0 }],
    ['huge poolSize', { connectionString: url, poolSize: 1001 }],
    ['fractional poolSize', { connectionString: url, poolSize: 2.5 }],
    ['reserved schema', { connectionString: url, schema: 'pg_catalog' }],
    ['quoted schema', { connectionString: url, schema: 'a"b' }],
    ['empty schema', { connectionString: url, schema: '' }],
    ['bad prefix', { connectionString: url, tablePrefix: '1x' }],
    ['negative busyRetryMs', { connectionString: url, busyRetryMs: -1 }],
    ['non-boolean preparedStatements', { connectionString: url, preparedStatements: 'yes' }],
  ];
  it.each(hostile)('refuses %s with INVALID_INPUT', (_label, options) => {
    expect(codeOf(() => createPostgresStore(options as PostgresStoreOptions<unknown>))).toBe(
      'INVALID_INPUT',
    );
  });

  it('error messages never echo the connection string (it may hold a password)', () => {
    try {
      createPostgresStore({ connectionString: 'postgres://u:s3cret-pw@h/db', poolSize: -1 });
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('s3cret-pw');
      expect(JSON.stringify(e)).not.toContain('s3cret-pw');
    }
  });

  it('close() ends a pool it opened, once; your own Kysely stays open', async () => {
    const owned = createPostgresStore({ connectionString: database.url, poolSize: 2 });
    await owned.migrate();
    await owned.close();
    await owned.close();
    await expect(owned.vault.getEntry('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3')).rejects.toThrow();

    const mine = createPostgresStore({ db, schema: 'mine' });
    await mine.migrate();
    await mine.close();
    const r = await sql<{ one: number }>`select 1 as one`.execute(db);
    expect(r.rows[0]?.one).toBe(1);
    expect(mine.db).toBe(db);
  });

  it('a server that does not answer fails migrate() with MIGRATION_FAILED and reads with the driver error', async () => {
    const storage = createPostgresStore({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    await expect(storage.migrate()).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    await expect(storage.vault.getEntry('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3')).rejects.toThrow(
      /ECONNREFUSED|connect/,
    );
    await storage.close();
  });

  it('ids that are not UUIDs are simply not found (uuid columns never see them)', async () => {
    const storage = createPostgresStore({ db, schema: 'uuids' });
    await storage.migrate();
    for (const id of ['', 'not-a-uuid', "x' or '1'='1", '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3x']) {
      expect(await storage.vault.getEntry(id)).toBeUndefined();
      expect(await storage.vault.getVersion(id, 1)).toBeUndefined();
      expect(await storage.vault.listVersions(id)).toEqual([]);
      expect(await storage.vault.markDeleted(id, 1)).toBe(false);
      expect(await storage.vault.markRestored(id)).toBe(false);
      expect(await storage.vault.destroyEntry(id)).toBe(false);
    }
  });
});
