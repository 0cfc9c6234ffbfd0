// createSqliteStore and configureSqliteDatabase: hostile options are refused with typed errors
// before any file is touched; open failures are typed; close() owns only what it opened.
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

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

  it('creates missing parent directories, private to the user (0700), and works there', async () => {
    const filename = dir.file('missing/dir/app.db');
    const storage = createSqliteStore({ filename });
    expect((await storage.migrate()).applied).toContain('coffer_001_init');
    await storage.close();
    expect(existsSync(filename)).toBe(true);
    for (const created of [dir.file('missing'), dir.file('missing/dir')]) {
      expect(statSync(created).isDirectory()).toBe(true);
      // Group and others get nothing, whatever the umask.
      expect(statSync(created).mode & 0o077).toBe(0);
    }
  });

  it('leaves an existing directory as it is', async () => {
    const existing = dir.file('open-dir');
    mkdirSync(existing, { mode: 0o755 });
    chmodSync(existing, 0o755);
    await createSqliteStore({ filename: join(existing, 'app.db') }).close();
    expect(statSync(existing).mode & 0o777).toBe(0o755);
  });

  it('a directory path through a file fails with STORE_OPEN_FAILED saying so', () => {
    const blocker = dir.file('a-file');
    writeFileSync(blocker, 'not a directory');
    const filename = join(blocker, 'sub', 'app.db');
    const caught = errorOf(() => createSqliteStore({ filename }));
    expect(isCofferError(caught, 'STORE_OPEN_FAILED')).toBe(true);
    expect((caught as { details?: unknown }).details).toEqual({ filename, reason: 'ENOTDIR' });
    expect((caught as { status?: unknown }).status).toBe(500);
    expect((caught as Error).message).toContain('is a file, not a directory (ENOTDIR)');
    expect((caught as Error).message).toContain(filename);
  });

  it('a file that is not a database fails with STORE_OPEN_FAILED saying so', () => {
    const filename = dir.file('garbage.db');
    writeFileSync(filename, Buffer.alloc(4096, 0x5a));
    const caught = errorOf(() => createSqliteStore({ filename }));
    expect(isCofferError(caught, 'STORE_OPEN_FAILED')).toBe(true);
    expect((caught as { details?: unknown }).details).toEqual({
      filename,
      reason: 'SQLITE_NOTADB',
    });
    expect((caught as Error).message).toContain('is not a SQLite database (SQLITE_NOTADB)');
  });

  it('a path that is a directory fails with STORE_OPEN_FAILED saying what SQLite could not do', () => {
    const filename = dir.file('is-a-directory.db');
    mkdirSync(filename);
    const caught = errorOf(() => createSqliteStore({ filename }));
    expect(isCofferError(caught, 'STORE_OPEN_FAILED')).toBe(true);
    expect((caught as { details?: { reason?: unknown } }).details?.reason).toBe('SQLITE_CANTOPEN');
    expect((caught as Error).message).toContain('the path is a directory');
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
