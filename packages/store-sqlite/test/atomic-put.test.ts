// A vault put on SQLite: through coffer's statement cache (the quick path, or your own Kysely over
// `cacheSqliteStatements`) one query that the cache runs as one `begin immediate` transaction; on a
// plain better-sqlite3 handle the same put as a transaction of four queries. Either way both rows
// or neither, never a transaction left open, and the caller's own transaction left alone.
import { isCofferError } from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createVault, createVaultReader } from '@coffer/vault';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheSqliteStatements, configureSqliteDatabase, createSqliteStore } from '../src/index.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

const envelope = createEnvelope({
  provider: createLocalKeyProvider(
    Keyring.fromKeys([{ id: 1, key: generateKek().expose(), status: 'primary' }]),
  ),
});
const who = { actor: 'test', purpose: 'atomic put' };
const BLOCK = /^-- coffer atomic block [0-9a-f]{32}: 13 5\n/;

let dirs: TempDir[] = [];
afterEach(() => {
  for (const dir of dirs) dir.remove();
  dirs = [];
});

/**
 * A store on its own handle, logging every query it runs, failed ones too: through the statement
 * cache, plain, or plain behind a driver that prepares only the first statement of a text and
 * ignores the rest (as bun:sqlite and node:sqlite do).
 */
async function open(handle: boolean | 'first-statement-only', busyRetryMs?: number) {
  const cached = handle === true;
  const dir = makeTempDir('atomic');
  dirs.push(dir);
  const filename = dir.file('atomic.db');
  const database = new Database(filename);
  configureSqliteDatabase(database);
  const captured: { sql: string; failed: boolean }[] = [];
  const firstOnly = {
    prepare: (text: string) => database.prepare(text.split(';\n')[0] ?? text),
    close: () => database.close(),
  };
  const db = new Kysely<unknown>({
    dialect: new SqliteDialect({
      database: cached
        ? cacheSqliteStatements(database)
        : handle === 'first-statement-only'
          ? firstOnly
          : database,
    }),
    log: (event) => {
      captured.push({ sql: event.query.sql, failed: event.level === 'error' });
    },
  });
  const storage = createSqliteStore({
    db,
    ...(busyRetryMs === undefined ? {} : { busyRetryMs }),
  });
  await storage.migrate();
  const vault = createVault({ store: storage.vault, envelope });
  const reader = createVaultReader({ store: storage.vault, envelope, audit: 'unaudited' });
  const count = (table: string) =>
    Number(
      (database.prepare(`select count(*) as n from ${table}`).get() as { n: number | bigint }).n,
    );
  /** What a put ran: `block`, or the first word of each statement. */
  const writes = () =>
    captured
      .filter((q) => !/^\s*(pragma|select|-- coffer atomic block probe)\b/i.test(q.sql))
      .map((q) => `${BLOCK.test(q.sql) ? 'block' : q.sql.split(/\s+/)[0]}${q.failed ? '!' : ''}`);
  return { filename, database, db, vault, reader, captured, count, writes };
}

describe('a vault put on SQLite', () => {
  it('through the statement cache is one query, run as one transaction', async () => {
    const t = await open(true);
    try {
      await t.vault.put({ kind: 'k', owner: 'o', value: 'v-warm-0123456789' });
      t.captured.length = 0;
      const { id } = await t.vault.put({ kind: 'k', owner: 'o', name: 'n', value: 'v-one-0123' });
      expect(t.writes()).toEqual(['block']);
      expect((await t.reader.reveal(id, who)).expose()).toBe('v-one-0123');
      expect((await t.reader.forOwner('o').revealByName('n', who)).value.expose()).toBe(
        'v-one-0123',
      );
      expect(t.count('coffer_vault_entries')).toBe(2);
      expect(t.count('coffer_vault_versions')).toBe(2);
      expect(t.database.inTransaction).toBe(false);
    } finally {
      await t.db.destroy();
    }
  });

  it('on a plain handle, no block is ever sent: every put is a transaction', async () => {
    const t = await open(false);
    try {
      t.captured.length = 0;
      await t.vault.put({ kind: 'k', owner: 'o', value: 'v-first-0123456789' });
      expect(t.writes()).toEqual(['begin', 'insert', 'insert', 'commit']);
      t.captured.length = 0;
      const { id } = await t.vault.put({ kind: 'k', owner: 'o', value: 'v-second-0123456789' });
      expect(t.writes()).toEqual(['begin', 'insert', 'insert', 'commit']);
      expect((await t.reader.reveal(id, who)).expose()).toBe('v-second-0123456789');
      expect(t.count('coffer_vault_entries')).toBe(2);
    } finally {
      await t.db.destroy();
    }
  });

  it('a driver that runs only the first statement of a text is never sent a block', async () => {
    const t = await open('first-statement-only');
    try {
      for (let i = 0; i < 3; i++) {
        t.captured.length = 0;
        const { id } = await t.vault.put({ kind: 'k', owner: 'o', value: `v-${i}-0123456789` });
        expect(t.writes()).toEqual(['begin', 'insert', 'insert', 'commit']);
        expect((await t.reader.reveal(id, who)).expose()).toBe(`v-${i}-0123456789`);
      }
      expect(t.count('coffer_vault_entries')).toBe(3);
      expect(t.count('coffer_vault_versions')).toBe(3);
    } finally {
      await t.db.destroy();
    }
  });

  for (const cached of [true, false]) {
    it(`a refused version row takes the entry row with it, and no transaction stays open (${cached ? 'cached' : 'plain'} handle)`, async () => {
      const t = await open(cached);
      try {
        await t.vault.put({ kind: 'k', owner: 'o', value: 'v-warm-0123456789' });
        t.database.exec(`create trigger refuse before insert on coffer_vault_versions
          begin select raise(abort, 'refused by the test'); end`);
        const error = await t.vault
          .put({ kind: 'k', owner: 'o', name: 'taken', value: 'v-refused-0123456789' })
          .catch((e: unknown) => e);
        expect((error as { code?: unknown }).code).toBe('SQLITE_CONSTRAINT_TRIGGER');
        expect(t.count('coffer_vault_entries')).toBe(1);
        expect(t.count('coffer_vault_versions')).toBe(1);
        expect(t.database.inTransaction).toBe(false);
        t.database.exec('drop trigger refuse');
        // The name was never taken.
        await t.vault.put({ kind: 'k', owner: 'o', name: 'taken', value: 'v-named-0123456789' });
        expect(t.count('coffer_vault_entries')).toBe(2);
      } finally {
        await t.db.destroy();
      }
    });
  }

  it('inside a transaction the caller opened on the handle, a put fails and leaves that transaction alone', async () => {
    const t = await open(true);
    try {
      await t.vault.put({ kind: 'k', owner: 'o', value: 'v-warm-0123456789' });
      await sql`create table mine (n integer)`.execute(t.db);
      await sql`begin`.execute(t.db);
      await sql`insert into mine values (1)`.execute(t.db);
      const error = await t.vault
        .put({ kind: 'k', owner: 'o', value: 'v-nested-0123456789' })
        .catch((e: unknown) => e);
      expect(String((error as Error).message)).toMatch(/within a transaction/);
      expect(t.database.inTransaction).toBe(true);
      await sql`commit`.execute(t.db);
      expect(t.count('mine')).toBe(1);
      expect(t.count('coffer_vault_entries')).toBe(1);
    } finally {
      await t.db.destroy();
    }
  });

  it('waits on timers while another connection writes: STORE_BUSY with nothing written, or done once the lock is free', async () => {
    const t = await open(true, 150);
    const locker = new Database(t.filename);
    try {
      await t.vault.put({ kind: 'k', owner: 'o', value: 'v-warm-0123456789' });
      locker.exec('begin immediate');
      const busy = await t.vault
        .put({ kind: 'k', owner: 'o', value: 'v-busy-0123456789' })
        .catch((e: unknown) => e);
      locker.exec('rollback');
      expect(isCofferError(busy, 'STORE_BUSY'), String(busy)).toBe(true);
      expect(t.count('coffer_vault_entries')).toBe(1);
      expect(t.database.inTransaction).toBe(false);
      locker.exec('begin immediate');
      setTimeout(() => locker.exec('commit'), 40);
      await t.vault.put({ kind: 'k', owner: 'o', value: 'v-later-0123456789' });
      expect(t.count('coffer_vault_entries')).toBe(2);
    } finally {
      locker.close();
      await t.db.destroy();
    }
  });
});

describe('cacheSqliteStatements and text that looks like a block', () => {
  it("runs only this process's own blocks: any other text is prepared as written", async () => {
    const database = new Database(':memory:');
    const db = new Kysely<unknown>({
      dialect: new SqliteDialect({ database: cacheSqliteStatements(database) }),
    });
    try {
      await sql`create table t (n integer)`.execute(db);
      await sql`insert into t values (1), (2)`.execute(db);
      const forged = (counts: string) => `-- coffer atomic block ${'ab'.repeat(16)}: ${counts}\n`;
      for (const header of ['-- coffer atomic block: 0 0\n', forged('0 0')]) {
        // Several statements stay refused, as better-sqlite3 refuses them.
        await expect(
          sql.raw(`${header}insert into t values (3);\ninsert into t values (4)`).execute(db),
        ).rejects.toThrow(/more than one statement/);
      }
      // A query with such a comment is an ordinary query: its rows come back.
      const rows = await sql.raw(`${forged('0')}select n from t order by n`).execute(db);
      expect(rows.rows).toEqual([{ n: 1 }, { n: 2 }]);
      expect(database.prepare('select count(*) as n from t').get()).toEqual({ n: 2 });
      expect(database.inTransaction).toBe(false);
    } finally {
      await db.destroy();
    }
  });
});
