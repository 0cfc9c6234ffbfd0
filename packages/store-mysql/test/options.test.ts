// createMysqlStore: hostile options are refused with typed errors before a pool is opened; errors
// never echo the connection string; close() owns only what it opened; a server that does not
// answer surfaces as an error, not a hang.
import { isCofferError } from '@coffer/core';
import { Kysely, MysqlDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlStore, type MysqlStoreOptions } from '../src/index.js';
import { createTestMysqlDatabase, type TestMysqlDatabase } from './test-database.js';

let database: TestMysqlDatabase;
let db: Kysely<unknown>;
beforeAll(async () => {
  database = await createTestMysqlDatabase('my_options');
  db = new Kysely<unknown>({
    dialect: new MysqlDialect({ pool: createPool({ uri: database.url, connectionLimit: 2 }) }),
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

describe('createMysqlStore options', () => {
  const url = 'mysql://nobody@127.0.0.1:1/none';
  const hostile: Array<[string, unknown]> = [
    ['nothing', undefined],
    ['null', null],
    ['a string', url],
    ['neither db nor connectionString', {}],
    ['both', { db: {}, connectionString: url }],
    ['empty connectionString', { connectionString: '' }],
    ['numeric connectionString', { connectionString: 3306 }],
    ['not a URL', { connectionString: 'root@localhost/app' }],
    ['a PostgreSQL URL', { connectionString: 'postgres://u@h/db' }],
    ['an option mysql2 refuses', { connectionString: `${url}?ssl="no-such-profile"` }],
    ['zero poolSize', { connectionString: url, poolSize: 0 }],
    ['huge poolSize', { connectionString: url, poolSize: 1001 }],
    ['fractional poolSize', { connectionString: url, poolSize: 2.5 }],
    ['bad prefix', { connectionString: url, tablePrefix: '1x' }],
    ['quoted prefix', { connectionString: url, tablePrefix: 'a`b' }],
    ['negative busyRetryMs', { connectionString: url, busyRetryMs: -1 }],
    ['non-boolean preparedStatements', { connectionString: url, preparedStatements: 1 }],
  ];
  it.each(hostile)('refuses %s with INVALID_INPUT', (_label, options) => {
    expect(codeOf(() => createMysqlStore(options as MysqlStoreOptions<unknown>))).toBe(
      'INVALID_INPUT',
    );
  });

  it('error messages never echo the connection string (it may hold a password)', () => {
    for (const options of [
      { connectionString: 'mysql://u:s3cret-pw@h/db', poolSize: -1 },
      { connectionString: 'mysql://u:s3cret-pw@h/db?ssl="nope"' },
      { connectionString: 'http://u:s3cret-pw@h/db' },
    ]) {
      let caught: unknown;
      try {
        createMysqlStore(options);
      } catch (e) {
        caught = e;
      }
      expect(isCofferError(caught, 'INVALID_INPUT')).toBe(true);
      expect(String((caught as Error).message)).not.toContain('s3cret-pw');
      expect(JSON.stringify(caught)).not.toContain('s3cret-pw');
      expect((caught as { cause?: unknown }).cause).toBeUndefined();
    }
  });

  it('close() ends a pool it opened, once; your own Kysely stays open', async () => {
    const owned = createMysqlStore({ connectionString: database.url, poolSize: 2 });
    await owned.migrate();
    await owned.close();
    await owned.close();
    await expect(owned.vault.getEntry('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3')).rejects.toThrow();

    const mine = createMysqlStore({ db, tablePrefix: 'mine_' });
    await mine.migrate();
    await mine.close();
    const r = await sql<{ one: number }>`select 1 as one`.execute(db);
    expect(r.rows[0]?.one).toBe(1);
    expect(mine.db).toBe(db);
  });

  it('a server that does not answer fails migrate() with MIGRATION_FAILED and reads with the driver error', async () => {
    const storage = createMysqlStore({ connectionString: 'mysql://nobody@127.0.0.1:1/none' });
    await expect(storage.migrate()).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    await expect(storage.vault.getEntry('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3')).rejects.toThrow(
      /ECONNREFUSED|connect/,
    );
    await storage.close();
  });

  it('any string is a possible id: not found, never an error', async () => {
    const storage = createMysqlStore({ db, tablePrefix: 'ids_' });
    await storage.migrate();
    for (const id of ['', 'not-a-uuid', "x' or '1'='1", 'ü'.repeat(100), 'a\u0000b']) {
      expect(await storage.vault.getEntry(id)).toBeUndefined();
      expect(await storage.vault.getVersion(id, 1)).toBeUndefined();
      expect(await storage.vault.listVersions(id)).toEqual([]);
      expect(await storage.vault.markDeleted(id, 1)).toBe(false);
      expect(await storage.vault.markRestored(id)).toBe(false);
      expect(await storage.vault.destroyEntry(id)).toBe(false);
    }
  });
});
