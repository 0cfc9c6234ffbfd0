// What only MySQL / MariaDB does, beyond the shared suite: InnoDB tables in utf8mb4 with an exact
// (binary, no-pad) collation on every text column, times as bigint epoch milliseconds whatever the
// session's time zone, sealed bytes as longblob, JSON as checked text, the flavor rendered from the
// server's version, lock waits retried and then refused with STORE_BUSY, and driver errors that
// carry no row data.
import { isCofferError } from '@coffer/core';
import { createVault, createVaultReader } from '@coffer/vault';
import { CompiledQuery, Kysely, MysqlDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope1, who } from '../../store-kysely/test-support/fixtures.js';
import { apiKeyRecord, keyIdOf, T0 } from '../../store-kysely/test-support/index.js';
import { createMysqlStore, type MysqlStore, mysqlMigrations } from '../src/index.js';
import { createTestMysqlDatabase, type TestMysqlDatabase } from './test-database.js';

let database: TestMysqlDatabase;
let storage: MysqlStore;

beforeAll(async () => {
  database = await createTestMysqlDatabase('my_specific');
  storage = createMysqlStore({ connectionString: database.url, poolSize: 4 });
  await storage.migrate();
});
afterAll(async () => {
  await storage?.close();
  await database?.drop();
});

interface Column {
  table_name: string;
  column_name: string;
  column_type: string;
  collation_name: string | null;
}

describe('MySQL / MariaDB schema', () => {
  it('InnoDB tables, utf8mb4 with an exact collation on every text column; bigint times, longblob, checked JSON', async () => {
    const version = await sql<{ v: string }>`select version() as v`.execute(storage.db);
    const exact = /mariadb/i.test(String(version.rows[0]?.v))
      ? 'utf8mb4_nopad_bin'
      : 'utf8mb4_0900_bin';
    const tables = await sql<{ table_name: string; engine: string; table_collation: string }>`
      select table_name as table_name, engine as engine, table_collation as table_collation
      from information_schema.tables
      where table_schema = database() and table_name not like '%migration%'
      order by table_name`.execute(storage.db);
    expect(tables.rows).toEqual(
      [
        'coffer_api_key',
        'coffer_api_key_audit',
        'coffer_kill_switch',
        'coffer_vault_entries',
        'coffer_vault_versions',
      ].map((table_name) => ({ table_name, engine: 'InnoDB', table_collation: exact })),
    );
    const columns = await sql<Column>`
      select table_name as table_name, column_name as column_name, column_type as column_type,
             collation_name as collation_name
      from information_schema.columns
      where table_schema = database() and table_name not like '%migration%'`.execute(storage.db);
    for (const c of columns.rows) {
      if (c.collation_name !== null) expect(c.collation_name, c.column_name).toBe(exact);
    }
    const type = (t: string, c: string) =>
      columns.rows.find((x) => x.table_name === `coffer_${t}` && x.column_name === c)?.column_type;
    expect(type('vault_entries', 'id')).toBe('varchar(36)');
    expect(type('vault_entries', 'metadata')).toBe('longtext');
    // MariaDB shows bigint(20), MySQL 8 bigint.
    for (const c of ['created_at', 'updated_at', 'deleted_at']) {
      expect(type('vault_entries', c)).toMatch(/^bigint/);
    }
    expect(type('vault_versions', 'sealed')).toBe('longblob');
    expect(type('api_key', 'killed')).toBe('tinyint(1)');
    expect(type('api_key', 'revision')).toMatch(/^bigint/);
    // Migration 003: added with the table's exact collation, like every other text column.
    expect(type('api_key', 'tier')).toBe('varchar(64)');
    // Migration 005: metadata as checked JSON text, the audit trail's times as bigint.
    expect(type('api_key', 'metadata')).toBe('longtext');
    expect(type('api_key_audit', 'at')).toMatch(/^bigint/);
    expect(type('api_key_audit', 'actor')).toBe('varchar(256)');
  });

  it('stores epoch milliseconds, 0/1 booleans, JSON text and the sealed bytes as given', async () => {
    const vault = createVault({ store: storage.vault, envelope: envelope1, clock: () => T0 + 7 });
    const { id } = await vault.put({
      kind: 'k',
      owner: 'o',
      metadata: { a: 1 },
      value: 'v-raw-0123456789',
    });
    const sealed = (await storage.vault.getVersion(id, 1))?.sealed;
    // JSON columns are compared as the stored text: mysql2 parses what MariaDB announces as JSON.
    const row = await sql<Record<string, unknown>>`
      select e.created_at, e.metadata = '{"a":1}' as metadata_text, v.sealed
      from coffer_vault_entries e join coffer_vault_versions v on v.entry_id = e.id
      where e.id = ${id}`.execute(storage.db);
    expect(row.rows[0]).toEqual({
      created_at: T0 + 7,
      metadata_text: 1,
      sealed: Buffer.from(sealed ?? []),
    });
    await storage.apiKeys.insertKey(apiKeyRecord(keyIdOf(1), { killed: true, scopes: ['a:b'] }));
    const key = await sql<Record<string, unknown>>`
      select killed, scopes = '["a:b"]' as scopes_text, created_at
      from coffer_api_key where key_id = ${keyIdOf(1)}`.execute(storage.db);
    expect(key.rows[0]).toEqual({ killed: 1, scopes_text: 1, created_at: T0 });
  });

  it("times do not depend on the connection's time zone or date settings", async () => {
    const pool = createPool({ uri: database.url, timezone: '+05:30', dateStrings: true });
    const db = new Kysely<unknown>({
      dialect: new MysqlDialect({
        pool,
        onCreateConnection: async (c) => {
          await c.executeQuery(CompiledQuery.raw("set time_zone = '-08:00'"));
        },
      }),
    });
    try {
      const other = createMysqlStore({ db });
      const vault = createVault({ store: other.vault, envelope: envelope1, clock: () => T0 + 123 });
      const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'v-tz-0123456789' });
      expect((await storage.vault.getEntry(id))?.createdAt).toBe(T0 + 123);
      expect((await other.vault.getEntry(id))?.createdAt).toBe(T0 + 123);
    } finally {
      await db.destroy();
    }
  });

  it('renders the exact collation of each flavor, and refuses an unknown one', () => {
    expect(mysqlMigrations({ flavor: 'mariadb' })[0]?.up.join('')).toContain(
      'collate=utf8mb4_nopad_bin',
    );
    expect(mysqlMigrations({ flavor: 'mysql' })[0]?.up.join('')).toContain(
      'collate=utf8mb4_0900_bin',
    );
    expect(mysqlMigrations()[0]?.up.join('')).toContain('collate=utf8mb4_nopad_bin');
    let caught: unknown;
    try {
      mysqlMigrations({ flavor: 'oracle' as 'mysql' });
    } catch (e) {
      caught = e;
    }
    expect(isCofferError(caught, 'INVALID_INPUT')).toBe(true);
  });
});

describe('server-side prepared statements (quick path)', () => {
  /** Statements this connection's session has executed through COM_STMT_EXECUTE. */
  async function executes(store: MysqlStore): Promise<number> {
    const r = await sql<{ Value: string }>`show session status like 'Com_stmt_execute'`.execute(
      store.db,
    );
    return Number(r.rows[0]?.Value);
  }

  for (const preparedStatements of [true, false]) {
    it(`reveal ${preparedStatements ? 'runs as' : 'does not run as'} a prepared statement (preparedStatements: ${preparedStatements})`, async () => {
      const one = createMysqlStore({
        connectionString: database.url,
        poolSize: 1,
        preparedStatements,
      });
      try {
        const vault = createVault({ store: one.vault, envelope: envelope1 });
        const reader = createVaultReader({
          store: one.vault,
          envelope: envelope1,
          audit: 'unaudited',
        });
        const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'v-prepared-0123456789' });
        const before = await executes(one);
        for (let i = 0; i < 3; i++) {
          expect((await reader.reveal(id, who)).expose()).toBe('v-prepared-0123456789');
        }
        expect((await executes(one)) - before).toBe(preparedStatements ? 3 : 0);
      } finally {
        await one.close();
      }
    });
  }
});

describe('MySQL / MariaDB contention and errors', () => {
  it('a rotation blocked by another connection’s row lock is retried, then refused with STORE_BUSY; nothing written', async () => {
    const db = new Kysely<unknown>({
      dialect: new MysqlDialect({
        pool: createPool({ uri: database.url, connectionLimit: 2 }),
        // Lock waits end after 1 s instead of the server's default 50 s.
        onCreateConnection: async (c) => {
          await c.executeQuery(CompiledQuery.raw('set session innodb_lock_wait_timeout = 1'));
        },
      }),
    });
    const locker = await createConnection({ uri: database.url });
    try {
      const store = createMysqlStore({ db, busyRetryMs: 1500 });
      const vault = createVault({ store: store.vault, envelope: envelope1 });
      const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'v-locked-0123456789' });
      await locker.query('begin');
      await locker.query('select id from coffer_vault_entries where id = ? for update', [id]);
      const error = await vault.rotate(id, 'v-locked-2-0123456789').catch((e: unknown) => e);
      await locker.query('rollback');
      expect(isCofferError(error, 'STORE_BUSY'), String(error)).toBe(true);
      expect((error as { details?: unknown }).details).toMatchObject({ dialect: 'mysql' });
      expect((await store.vault.getEntry(id))?.version).toBe(1);
      expect((await store.vault.listVersions(id)).map((v) => v.version)).toEqual([1]);

      // Released in time, the same rotation goes through.
      await locker.query('begin');
      await locker.query('select id from coffer_vault_entries where id = ? for update', [id]);
      setTimeout(() => void locker.query('commit'), 300);
      expect(await vault.rotate(id, 'v-locked-3-0123456789')).toEqual({ id, version: 2 });
    } finally {
      await locker.end();
      await db.destroy();
    }
  });

  it('a driver error carries codes and a message, not the statement with its values', async () => {
    const bad = apiKeyRecord(keyIdOf(2), {
      env: 'prod' as 'live',
      secretHash: 'hash-that-must-not-appear',
    });
    const error = await storage.apiKeys.insertKey(bad).catch((e: unknown) => e);
    // ER_CONSTRAINT_FAILED on MariaDB, ER_CHECK_CONSTRAINT_VIOLATED on MySQL 8.
    expect([4025, 3819]).toContain((error as { errno?: unknown }).errno);
    expect('sql' in (error as object)).toBe(false);
    expect(JSON.stringify(error)).not.toContain('hash-that-must-not-appear');
    expect(String((error as Error).message)).not.toContain('hash-that-must-not-appear');
  });
});

describe('a put in one round trip (MariaDB compound statement)', () => {
  /** A store on its own one-connection pool under `prefix`, logging what it runs. */
  async function oneConnectionStore(prefix: string) {
    const captured: string[] = [];
    const db = new Kysely<unknown>({
      dialect: new MysqlDialect({ pool: createPool({ uri: database.url, connectionLimit: 1 }) }),
      // Failed statements too (level 'error'): a refused compound statement is one of them.
      log: (event) => {
        captured.push(event.query.sql);
      },
    });
    const store = createMysqlStore({ db, tablePrefix: prefix, busyRetryMs: 2000 });
    await store.migrate();
    const vault = createVault({ store: store.vault, envelope: envelope1 });
    const count = async (table: string) => {
      const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(
        `${prefix}${table}`,
      )}`.execute(db);
      return Number(r.rows[0]?.n);
    };
    const inTransaction = async () => {
      const r = await sql<{ t: number | string }>`select @@in_transaction as t`.execute(db);
      return Number(r.rows[0]?.t);
    };
    return { db, store, vault, captured, count, inTransaction };
  }
  const isMariadb = async (db: Kysely<unknown>) =>
    /mariadb/i.test(
      String((await sql<{ v: string }>`select version() as v`.execute(db)).rows[0]?.v),
    );
  const writes = (captured: string[]) =>
    captured
      .filter((q) => /^\s*(insert|begin not atomic|start transaction|commit|rollback)\b/i.test(q))
      .map((q) => q.replace(/^start transaction\b/i, 'begin'));

  it('MariaDB: one statement holding its own transaction; a failing second insert leaves nothing, and no transaction open', async () => {
    const t = await oneConnectionStore('rt1_');
    try {
      const mariadb = await isMariadb(t.db);
      await t.vault.put({ kind: 'k', owner: 'o', value: 'v-warm-0123456789' });
      t.captured.length = 0;
      await t.vault.put({ kind: 'k', owner: 'o', value: 'v-one-0123456789' });
      const put = writes(t.captured);
      if (mariadb) {
        expect(put).toHaveLength(1);
        expect(put[0]).toMatch(
          /^begin not atomic .* start transaction; insert .*; insert .*; commit; end$/s,
        );
      } else {
        expect(put.map((q) => q.split(/\s+/)[0])).toEqual(['begin', 'insert', 'insert', 'commit']);
      }
      // The version row is refused after the entry row went in: both are gone, and the
      // connection (the pool's only one) is not left inside a transaction.
      await sql`create trigger rt1_refuse before insert on rt1_vault_versions for each row
        signal sqlstate '45000' set message_text = 'refused by the test'`.execute(t.db);
      const error = await t.vault
        .put({ kind: 'k', owner: 'o', name: 'refused', value: 'v-refused-0123456789' })
        .catch((e: unknown) => e);
      expect((error as { errno?: unknown }).errno).toBe(1644);
      expect('sql' in (error as object)).toBe(false);
      expect(await t.count('vault_entries')).toBe(2);
      expect(await t.count('vault_versions')).toBe(2);
      expect(await t.inTransaction()).toBe(0);
      // The name was never taken.
      await sql`drop trigger rt1_refuse`.execute(t.db);
      await t.vault.put({ kind: 'k', owner: 'o', name: 'refused', value: 'v-named-0123456789' });
      expect(await t.count('vault_entries')).toBe(3);
    } finally {
      await t.db.destroy();
    }
  });

  it('a "not found" condition (class 02) ends the statement like an error: rolled back, no transaction left open', async () => {
    const t = await oneConnectionStore('rt4_');
    try {
      await t.vault.put({ kind: 'k', owner: 'o', value: 'v-warm-0123456789' });
      await sql`create trigger rt4_nothing before insert on rt4_vault_versions for each row
        signal sqlstate '02000' set message_text = 'nothing, says the test'`.execute(t.db);
      const error = await t.vault
        .put({ kind: 'k', owner: 'o', name: 'kept-free', value: 'v-02000-0123456789' })
        .catch((e: unknown) => e);
      expect((error as { errno?: unknown }).errno).toBe(1643);
      // The pool's only connection: not inside a transaction holding the entry row.
      expect(await t.inTransaction()).toBe(0);
      await sql`drop trigger rt4_nothing`.execute(t.db);
      // The next put on that connection commits its own rows only: the name is still free.
      await t.vault.put({ kind: 'k', owner: 'o', name: 'kept-free', value: 'v-next-0123456789' });
      expect(await t.count('vault_entries')).toBe(2);
      expect(await t.count('vault_versions')).toBe(2);
    } finally {
      await t.db.destroy();
    }
  });

  it("a store on the caller's Kysely transaction refuses a put, leaving the caller's work to its rollback", async () => {
    const t = await oneConnectionStore('rt5_');
    try {
      await t.vault.put({ kind: 'k', owner: 'o', value: 'v-warm-0123456789' });
      await sql`create table rt5_mine (n int not null) engine=InnoDB`.execute(t.db);
      const outcome = await t.db
        .transaction()
        .execute(async (trx) => {
          await sql`insert into rt5_mine values (1)`.execute(trx);
          const inTrx = createMysqlStore({ db: trx, tablePrefix: 'rt5_' });
          const vault = createVault({ store: inTrx.vault, envelope: envelope1 });
          const put = await vault
            .put({ kind: 'k', owner: 'o', value: 'v-in-trx-0123456789' })
            .then(() => 'written')
            .catch(() => 'refused');
          throw new Error(`caller rolls back (put ${put})`);
        })
        .catch((e: unknown) => String((e as Error).message));
      expect(outcome).toBe('caller rolls back (put refused)');
      expect(await t.count('mine')).toBe(0);
      expect(await t.count('vault_entries')).toBe(1);
    } finally {
      await t.db.destroy();
    }
  });

  it('a deadlock inside the statement rolls it back and is retried as a whole: one entry, one version', async () => {
    const t = await oneConnectionStore('rt2_');
    try {
      // Counted in a MEMORY table, which the statement's rollback does not undo: the first two
      // version inserts fail as InnoDB deadlocks (1213) do.
      await sql`create table rt2_deadlocks (n int not null) engine=memory`.execute(t.db);
      await sql`insert into rt2_deadlocks values (2)`.execute(t.db);
      await sql`create trigger rt2_deadlock before insert on rt2_vault_versions for each row
        begin
          if (select n from rt2_deadlocks) > 0 then
            update rt2_deadlocks set n = n - 1;
            signal sqlstate '40001' set message_text = 'simulated deadlock', mysql_errno = 1213;
          end if;
        end`.execute(t.db);
      const { id } = await t.vault.put({
        kind: 'k',
        owner: 'o',
        name: 'n',
        value: 'v-dl-0123456789',
      });
      const left = await sql<{ n: number }>`select n from rt2_deadlocks`.execute(t.db);
      expect(Number(left.rows[0]?.n)).toBe(0);
      expect(await t.count('vault_entries')).toBe(1);
      expect((await t.store.vault.listVersions(id)).map((v) => v.version)).toEqual([1]);
      expect(await t.inTransaction()).toBe(0);
      const reader = createVaultReader({
        store: t.store.vault,
        envelope: envelope1,
        audit: 'unaudited',
      });
      expect((await reader.reveal(id, who)).expose()).toBe('v-dl-0123456789');
    } finally {
      await t.db.destroy();
    }
  });

  it('a session that cannot parse the compound statement (Oracle mode) gets the transaction, from then on', async () => {
    const t = await oneConnectionStore('rt3_');
    try {
      const reader = createVaultReader({
        store: t.store.vault,
        envelope: envelope1,
        audit: 'unaudited',
      });
      await t.vault.put({ kind: 'k', owner: 'o', value: 'v-before-0123456789' });
      // The mode changes after the store checked the server: the next compound statement is
      // refused unparsed (1064), and the put runs as a transaction instead.
      await sql`set session sql_mode = concat(@@sql_mode, ',ORACLE')`.execute(t.db);
      t.captured.length = 0;
      const { id } = await t.vault.put({ kind: 'k', owner: 'o', value: 'v-after-0123456789' });
      const first = writes(t.captured).map((q) => q.split(/\s+/).slice(0, 3).join(' '));
      t.captured.length = 0;
      await t.vault.put({ kind: 'k', owner: 'o', value: 'v-later-0123456789' });
      const later = writes(t.captured).map((q) => q.split(/\s+/)[0]);
      expect(later).toEqual(['begin', 'insert', 'insert', 'commit']);
      if (await isMariadb(t.db)) {
        expect(first[0]).toBe('begin not atomic');
        expect(first.slice(1).map((q) => q.split(' ')[0])).toEqual([
          'begin',
          'insert',
          'insert',
          'commit',
        ]);
      }
      expect((await reader.reveal(id, who)).expose()).toBe('v-after-0123456789');
      expect(await t.count('vault_entries')).toBe(3);
    } finally {
      await t.db.destroy();
    }
  });
});
