// createSqliteStore and configureSqliteDatabase: hostile options are refused with typed errors
// before any file is touched; open failures are typed; close() owns only what it opened.
import { existsSync, writeFileSync } from 'node:fs';
import { isCofferError } from '@coffer/core';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import {
  configureSqliteDatabase,
  createSqliteStore,
  type SqliteStoreOptions,
} from '../src/index.js';
import { makeTempDir } from './temp-dir.js';

const dir = makeTempDir('options');
afterAll(() => dir.remove());

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isCofferError(e) ? e.code : `untyped: ${String(e)}`;
  }
  return undefined;
}

describe('createSqliteStore options', () => {
  const file = dir.file('never-created.db');
  const db = new Kysely<unknown>({
    dialect: new SqliteDialect({ database: new Database(':memory:') }),
  });
  const hostile: Array<[string, unknown]> = [
    ['nothing', undefined],
    ['null', null],
    ['a string', 'app.db'],
    ['neither db nor filename', {}],
    ['both db and filename', { db, filename: file }],
    ['empty filename', { filename: '' }],
    ['numeric filename', { filename: 42 }],
    ['bad prefix', { filename: file, tablePrefix: 'x"; drop' }],
    ['upper-case prefix', { filename: file, tablePrefix: 'Coffer_' }],
    ['negative busyRetryMs', { filename: file, busyRetryMs: -1 }],
    ['fractional busyRetryMs', { filename: file, busyRetryMs: 1.5 }],
    ['string busyRetryMs', { filename: file, busyRetryMs: '100' }],
    ['huge busyRetryMs', { filename: file, busyRetryMs: 1e12 }],
    ['negative busyTimeoutMs', { filename: file, busyTimeoutMs: -5 }],
    ['NaN busyTimeoutMs', { filename: file, busyTimeoutMs: Number.NaN }],
  ];
  it.each(hostile)('refuses %s with INVALID_INPUT and creates no file', (_label, options) => {
    expect(codeOf(() => createSqliteStore(options as SqliteStoreOptions<unknown>))).toBe(
      'INVALID_INPUT',
    );
    expect(existsSync(file)).toBe(false);
  });

  it('a file in a missing directory fails with STORE_OPEN_FAILED naming the file', () => {
    const filename = dir.file('missing/dir/app.db');
    let caught: unknown;
    try {
      createSqliteStore({ filename });
    } catch (e) {
      caught = e;
    }
    expect(isCofferError(caught, 'STORE_OPEN_FAILED')).toBe(true);
    expect((caught as { details?: unknown }).details).toEqual({ filename });
    expect((caught as { status?: unknown }).status).toBe(500);
  });

  it('a file that is not a database fails with STORE_OPEN_FAILED', () => {
    const filename = dir.file('garbage.db');
    writeFileSync(filename, Buffer.alloc(4096, 0x5a));
    expect(codeOf(() => createSqliteStore({ filename }))).toBe('STORE_OPEN_FAILED');
  });

  it('close() ends a connection it opened, once; your own Kysely stays open', async () => {
    const owned = createSqliteStore({ filename: dir.file('owned.db') });
    await owned.migrate();
    await owned.close();
    await owned.close(); // idempotent
    await expect(owned.vault.getEntry('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3')).rejects.toThrow();

    const mine = createSqliteStore({ db });
    await mine.migrate();
    await mine.close();
    const r = await sql<{ one: number }>`select 1 as one`.execute(db);
    expect(r.rows[0]?.one).toBe(1);
    expect(mine.db).toBe(db);
  });

  it('turns secure_delete on for a connection it did not configure', async () => {
    const database = new Database(':memory:');
    expect(database.pragma('secure_delete', { simple: true })).toBe(0);
    const own = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
    const storage = createSqliteStore({ db: own });
    await storage.migrate();
    await storage.vault.getEntry('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3');
    expect(database.pragma('secure_delete', { simple: true })).toBe(1);
    await own.destroy();
  });
});

describe('configureSqliteDatabase', () => {
  it('runs its documented example', () => {
    const database = new Database(':memory:');
    expect(configureSqliteDatabase(database)).toBe('memory');
    expect(database.pragma('foreign_keys', { simple: true })).toBe(1);
    database.close();
  });

  it('puts a file database in WAL with the documented settings', () => {
    const database = new Database(dir.file('configured.db'));
    expect(configureSqliteDatabase(database, { busyTimeoutMs: 250 })).toBe('wal');
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(database.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(database.pragma('secure_delete', { simple: true })).toBe(1);
    expect(database.pragma('busy_timeout', { simple: true })).toBe(250);
    expect(configureSqliteDatabase(database)).toBe('wal');
    expect(database.pragma('busy_timeout', { simple: true })).toBe(0);
    database.close();
  });

  it.each<[string, unknown]>([
    ['negative', -1],
    ['fraction', 0.5],
    ['string', '10'],
    ['huge', 1e9],
  ])('refuses a %s busyTimeoutMs with INVALID_INPUT', (_label, busyTimeoutMs) => {
    const database = new Database(':memory:');
    expect(
      codeOf(() =>
        configureSqliteDatabase(database, { busyTimeoutMs } as { busyTimeoutMs: number }),
      ),
    ).toBe('INVALID_INPUT');
    database.close();
  });
});
