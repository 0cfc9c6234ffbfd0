// store-sqlite / store-postgres / store-mysql: vault put and reveal through the SQL stores against a
// hand-written layer writing and reading rows of the same size in the same database in the same
// run, plus list and rewrap throughput. SQLite: a file in WAL mode in a temp directory. PostgreSQL
// and MariaDB: a bench database created on COFFER_TEST_PG_URL / COFFER_TEST_MYSQL_URL (or the
// local server) and dropped afterwards; a dialect whose server does not answer is skipped.
//
// The baselines are what a team writes by hand with raw Kysely (the query builder, built and run per
// call, as Kysely's drivers run it) on a plain connection — on SQLite its own better-sqlite3 handle
// to the same file, configured like coffer's (`configureSqliteDatabase`), since coffer's own handle
// caches prepared statements; on PostgreSQL and MariaDB the same pool as the store.
// - "one row": one table holding the whole record (entry columns + kek_id + sealed) by primary key,
//   one statement per put and per reveal — the single-table schema the issue compares against.
//   Targets: reveal ≥ 0.7 everywhere; put ≥ 0.7 on PostgreSQL (one statement either way), ≥ 0.5 on
//   SQLite and MariaDB (where the vault's two tables need a write transaction).
// - "same rows": the entry row and the version row the store writes, with the statements a
//   hand-written two-table layer needs (one transaction, or one statement with a writable CTE on
//   PostgreSQL; reads: two primary-key lookups). This prices what coffer adds on top of the same
//   storage work (sealing, validation, mapping, retries): target 0.7.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, toHex } from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createMysqlStore } from '@coffer/store-mysql';
import { createPostgresStore } from '@coffer/store-postgres';
import { configureSqliteDatabase, createSqliteStore } from '@coffer/store-sqlite';
import { createVault, createVaultReader, type VaultStore } from '@coffer/vault';
import Database from 'better-sqlite3';
import { Kysely, type Kysely as KyselyType, SqliteDialect, sql } from 'kysely';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import type { BenchContext } from './harness.ts';

const TOKEN = `EAAG${toHex(randomBytes(126))}`; // 256 B, a Meta CAPI token's size
const REVEAL_ROWS = 2000;
const REWRAP_ROWS = 5000;
const SETUP_PARALLEL = 8;

const k1 = generateKek().expose();
const keys1 = createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: k1, status: 'primary' }]));
const keys2 = createLocalKeyProvider(
  Keyring.fromKeys([
    { id: 2, key: generateKek().expose(), status: 'primary' },
    { id: 1, key: k1, status: 'active' },
  ]),
);
const who = { actor: 'bench', purpose: 'bench' };

type Dialect = 'sqlite' | 'postgres' | 'mysql';
type RawDb = KyselyType<Record<string, Record<string, unknown>>>;

interface RawRows {
  entry: Record<string, unknown>;
  version: Record<string, unknown>;
}

interface Target {
  label: string;
  dialect: Dialect;
  store: VaultStore;
  /** The store's own Kysely (counting rows). */
  db: KyselyType<unknown>;
  /** The hand-written layer's Kysely (the baselines). */
  raw: KyselyType<unknown>;
  /** put vs one row: the target for this dialect. */
  putTarget: number;
  close: () => Promise<void>;
}

/**
 * Runs `fn(i)` for i in [0, n), at most SETUP_PARALLEL at a time on the servers; one at a time on
 * SQLite, where the baseline's own handle would otherwise meet coffer's write lock.
 */
async function inParallel(
  dialect: Dialect,
  n: number,
  fn: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: dialect === 'sqlite' ? 1 : SETUP_PARALLEL }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/** A stored record's rows as the driver binds them, for the raw baselines. */
async function sampleRows(store: VaultStore, dialect: Dialect): Promise<RawRows> {
  const vault = createVault({ store, envelope: createEnvelope({ provider: keys1 }) });
  const { id } = await vault.put({ kind: 'meta-capi-token', owner: 'org_bench', value: TOKEN });
  const e = await store.getEntry(id);
  const v = await store.getVersion(id, 1);
  if (e === undefined || v === undefined) throw new Error('sample missing');
  const time = (ms: number) => (dialect === 'postgres' ? new Date(ms) : ms);
  const bytes = (b: Uint8Array) => (dialect === 'mysql' ? Buffer.from(b) : b);
  return {
    entry: {
      owner: e.owner,
      kind: e.kind,
      label: e.label,
      metadata: JSON.stringify(e.metadata),
      preview: e.preview,
      version: 1,
      created_at: time(e.createdAt),
      updated_at: time(e.updatedAt),
      deleted_at: null,
    },
    version: {
      version: 1,
      kek_id: v.kekId,
      sealed: bytes(v.sealed),
      created_at: time(v.createdAt),
    },
  };
}

function singleTableDdl(dialect: Dialect): string {
  switch (dialect) {
    case 'sqlite':
      return 'create table raw_single (id text primary key, owner text not null, kind text not null, label text, metadata text not null, preview text not null, version integer not null, kek_id text not null, sealed blob not null, created_at integer not null, updated_at integer not null, deleted_at integer) strict';
    case 'postgres':
      return 'create table raw_single (id uuid primary key, owner text not null, kind text not null, label text, metadata jsonb not null, preview text not null, version integer not null, kek_id text not null, sealed bytea not null, created_at timestamptz not null, updated_at timestamptz not null, deleted_at timestamptz)';
    case 'mysql':
      return 'create table raw_single (id varchar(36) primary key, owner varchar(256) not null, kind varchar(64) not null, label text, metadata longtext not null, preview varchar(256) not null, version int not null, kek_id varchar(255) not null, sealed longblob not null, created_at bigint not null, updated_at bigint not null, deleted_at bigint) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_nopad_bin';
  }
}

async function benchTarget(b: BenchContext, t: Target): Promise<void> {
  const raw = t.raw as unknown as RawDb;
  const rows = await sampleRows(t.store, t.dialect);
  const uuid = () => crypto.randomUUID();
  await sql.raw(singleTableDdl(t.dialect)).execute(t.raw);

  const insertSame = async (): Promise<string> => {
    const id = uuid();
    const entry = { id, ...rows.entry };
    const version = { entry_id: id, ...rows.version };
    if (t.dialect === 'postgres') {
      await raw
        .with('e', (db) => db.insertInto('raw_vault_entries').values(entry).returning('id'))
        .insertInto('raw_vault_versions')
        .values(version)
        .execute();
    } else {
      await raw.transaction().execute(async (trx) => {
        await trx.insertInto('raw_vault_entries').values(entry).execute();
        await trx.insertInto('raw_vault_versions').values(version).execute();
      });
    }
    return id;
  };
  const insertSingle = async (): Promise<string> => {
    const id = uuid();
    await raw
      .insertInto('raw_single')
      .values({ id, ...rows.entry, ...rows.version, version: 1 })
      .execute();
    return id;
  };

  const vault = createVault({ store: t.store, envelope: createEnvelope({ provider: keys1 }) });
  const put = () => vault.put({ kind: 'meta-capi-token', owner: 'org_bench', value: TOKEN });

  await b.compare({
    name: `${t.label}: vault put 256 B vs raw kysely insert of one same-size row`,
    target: t.putTarget,
    baseline: { name: 'raw kysely single-row insert', fn: insertSingle },
    subject: put,
  });
  const sameName = t.dialect === 'postgres' ? 'one statement' : 'one transaction';
  await b.compare({
    name: `${t.label}: vault put 256 B vs raw kysely insert of the same rows`,
    target: 0.7,
    baseline: { name: `raw kysely entry+version insert (${sameName})`, fn: insertSame },
    subject: put,
  });

  // Reveal: cycle over pre-stored rows on both sides.
  const ids: string[] = [];
  const rawSame: string[] = [];
  const rawSingle: string[] = [];
  await inParallel(t.dialect, REVEAL_ROWS, async () => {
    ids.push((await put()).id);
    rawSame.push(await insertSame());
    rawSingle.push(await insertSingle());
  });
  const reader = createVaultReader({
    store: t.store,
    envelope: createEnvelope({ provider: keys1 }),
    audit: 'unaudited', // measures the store's read path; bench/vault.bench.ts measures with a sink
  });
  let i = 0;
  const next = (list: string[]) => list[i++ % list.length] ?? '';
  const reveal = async () => (await reader.reveal(next(ids), who)).expose();
  // The same reveal through the tenant's reader: the owner is one more condition of the same
  // statement, never another round trip.
  const scoped = reader.forOwner('org_bench');
  const revealScoped = async () => (await scoped.reveal(next(ids), who)).expose();
  // And by name (one statement on the live-names index): what a provider key's resolve does.
  const names: string[] = [];
  await inParallel(t.dialect, REVEAL_ROWS / 4, async (n) => {
    const name = `bench-key-${n}`;
    await vault.forOwner('org_bench').put({ kind: 'provider-key', name, value: TOKEN });
    names.push(name);
  });
  const revealByName = async () => (await scoped.revealByName(next(names), who)).value.expose();
  const selectOneRow = () =>
    raw.selectFrom('raw_single').selectAll().where('id', '=', next(rawSingle)).executeTakeFirst();
  await b.compare({
    name: `${t.label}: vault reveal 256 B vs raw kysely select of one same-size row`,
    target: 0.7,
    baseline: {
      name: 'raw kysely single-row select by key',
      fn: () =>
        raw
          .selectFrom('raw_single')
          .selectAll()
          .where('id', '=', next(rawSingle))
          .executeTakeFirst(),
    },
    subject: reveal,
  });
  await b.compare({
    name: `${t.label}: vault reveal 256 B for one owner (reader.forOwner) vs raw kysely select of one same-size row`,
    target: 0.7,
    baseline: { name: 'raw kysely single-row select by key', fn: selectOneRow },
    subject: revealScoped,
  });
  await b.compare({
    name: `${t.label}: vault revealByName 256 B (reader.forOwner) vs raw kysely select of one same-size row`,
    target: 0.7,
    baseline: { name: 'raw kysely single-row select by key', fn: selectOneRow },
    subject: revealByName,
  });
  await b.compare({
    name: `${t.label}: vault reveal 256 B vs raw kysely select of the same rows`,
    target: 0.7,
    baseline: {
      name: 'raw kysely entry + version select by key',
      fn: async () => {
        const id = next(rawSame);
        await raw
          .selectFrom('raw_vault_entries')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return raw
          .selectFrom('raw_vault_versions')
          .selectAll()
          .where('entry_id', '=', id)
          .where('version', '=', 1)
          .executeTakeFirst();
      },
    },
    subject: reveal,
  });

  // List: pages of 50 of one owner's entries (the REVEAL_ROWS and more stored above).
  const listed = await b.measure(() => vault.list({ owner: 'org_bench', limit: 50 }));
  b.report({
    name: `${t.label}: vault.list throughput (pages of 50)`,
    value: Math.round(listed * 50),
    unit: 'entries/s',
  });

  // Rewrap throughput: REWRAP_ROWS values under KEK 1 moved to KEK 2.
  const before = createVault({ store: t.store, envelope: createEnvelope({ provider: keys1 }) });
  await inParallel(t.dialect, REWRAP_ROWS, async () => {
    await before.put({ kind: 'k', owner: 'org_rewrap', value: TOKEN });
  });
  // Everything stored so far (bench puts included) is under KEK 1; count it all.
  const count = await sql<{
    n: number | string;
  }>`select count(*) as n from coffer_vault_versions`.execute(t.db);
  const total = Number(count.rows[0]?.n ?? 0);
  const after = createVault({
    store: t.store,
    envelope: createEnvelope({ provider: keys2 }),
    provider: keys2,
  });
  const started = performance.now();
  const result = await after.rewrapAll({ batchSize: 500 });
  const seconds = (performance.now() - started) / 1000;
  if (result.rewrapped !== total || result.failed.length > 0) {
    throw new Error(`rewrap moved ${result.rewrapped} of ${total} rows`);
  }
  b.report({
    name: `${t.label}: rewrapAll throughput (${total} rows, batch 500)`,
    value: Math.round(total / seconds),
    unit: 'rows/s',
  });

  // Purge: the REWRAP_ROWS entries, soft-deleted (one statement), destroyed by purgeExpired at its
  // default batch of 100, while a 1 ms timer records the longest stall of the event loop. On
  // SQLite every query completes synchronously: the purge must yield between batches (D39).
  await sql`update ${sql.table('coffer_vault_entries')} set deleted_at = updated_at
    where owner = 'org_rewrap'`.execute(t.db);
  const purger = createVault({
    store: t.store,
    envelope: createEnvelope({ provider: keys2 }),
    clock: () => Date.now() + 91 * 24 * 60 * 60 * 1000,
  });
  let stall = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 1);
  const purgeStarted = performance.now();
  last = purgeStarted;
  const { purged } = await purger.purgeExpired();
  const purgeSeconds = (performance.now() - purgeStarted) / 1000;
  stall = Math.max(stall, performance.now() - last);
  clearInterval(timer);
  if (purged !== REWRAP_ROWS) throw new Error(`purge destroyed ${purged} of ${REWRAP_ROWS}`);
  b.report({
    name: `${t.label}: purgeExpired throughput (${purged} entries, batch 100)`,
    value: Math.round(purged / purgeSeconds),
    unit: 'entries/s',
  });
  b.report({
    name: `${t.label}: purgeExpired longest event-loop stall (${purged} entries, batch 100)`,
    value: Math.round(stall),
    unit: 'ms',
    target: 500,
    atMost: true,
  });
  await t.close();
}

async function sqliteTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-sqlite-'));
  const filename = join(dir, 'bench.db');
  const storage = createSqliteStore({ filename });
  await storage.migrate();
  // The hand-written layer: its own handle on the same file, configured the same way, plain Kysely.
  const database = new Database(filename);
  configureSqliteDatabase(database);
  const raw = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  // The raw two-table baseline's tables: coffer's DDL under the prefix raw_.
  await createSqliteStore({ db: raw, tablePrefix: 'raw_' }).migrate();
  return {
    label: 'store-sqlite (file, WAL)',
    dialect: 'sqlite',
    store: storage.vault,
    db: storage.db,
    raw,
    putTarget: 0.5,
    close: async () => {
      await raw.destroy();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresTarget(): Promise<Target | undefined> {
  const server = process.env.COFFER_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: server, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    console.log('INFO  store-postgres: no PostgreSQL server answers; skipped');
    return undefined;
  }
  const name = `coffer_bench_${toHex(randomBytes(4))}`;
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  const storage = createPostgresStore({ connectionString: url.toString(), poolSize: 8 });
  await storage.migrate();
  await createPostgresStore({ db: storage.db, tablePrefix: 'raw_' }).migrate();
  return {
    label: 'store-postgres',
    dialect: 'postgres',
    store: storage.vault,
    db: storage.db,
    raw: storage.db,
    putTarget: 0.7,
    close: async () => {
      await storage.close();
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}

async function mysqlTarget(): Promise<Target | undefined> {
  const server = process.env.COFFER_TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/';
  let admin: Awaited<ReturnType<typeof createConnection>>;
  try {
    admin = await createConnection({ uri: server, connectTimeout: 3000 });
  } catch {
    console.log('INFO  store-mysql: no MySQL / MariaDB server answers; skipped');
    return undefined;
  }
  const name = `coffer_bench_${toHex(randomBytes(4))}`;
  await admin.query(`create database \`${name}\``);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const storage = createMysqlStore({ connectionString: url.toString(), poolSize: 8 });
  await storage.migrate();
  await createMysqlStore({ db: storage.db, tablePrefix: 'raw_' }).migrate();
  return {
    label: 'store-mysql (MariaDB)',
    dialect: 'mysql',
    store: storage.vault,
    db: storage.db,
    raw: storage.db,
    putTarget: 0.5,
    close: async () => {
      await storage.close();
      await admin.query(`drop database if exists \`${name}\``);
      await admin.end();
    },
  };
}

// BENCH_STORES=sqlite,postgres,mysql (the default: all) picks the dialects.
const wanted = new Set((process.env.BENCH_STORES ?? 'sqlite,postgres,mysql').split(','));

export default async function (b: BenchContext): Promise<void> {
  const targets = [
    ['sqlite', sqliteTarget],
    ['postgres', postgresTarget],
    ['mysql', mysqlTarget],
  ] as const;
  for (const [name, open] of targets) {
    if (!wanted.has(name)) continue;
    const target = await open();
    if (target !== undefined) await benchTarget(b, target);
  }
}
