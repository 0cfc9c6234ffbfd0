// store-sqlite / store-postgres: vault put and reveal through the SQL stores against raw Kysely
// writes and reads of rows of the same size on the same database in the same run, and rewrap
// throughput. SQLite: a file in WAL mode in a temp directory. PostgreSQL: a bench database created
// on COFFER_TEST_PG_URL (or 127.0.0.1:5432) and dropped afterwards; skipped if no server answers.
//
// Two raw baselines per operation:
// - "raw kysely insert/select, same rows": the same two rows the store writes (entry + version,
//   same sizes) with the same statements a hand-written layer needs — one transaction on SQLite,
//   one statement on PostgreSQL; reads: the entry row and the version row by primary key. This
//   measures what coffer adds on top of the storage work (sealing, validation, mapping): target 0.7.
// - "raw kysely insert/select, one row": one row holding the same bytes in a single table, one
//   statement — reported for context (it also prices the two-table design).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, toHex } from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createPostgresStore } from '@coffer/store-postgres';
import { createSqliteStore } from '@coffer/store-sqlite';
import { createVault, createVaultReader, type VaultStore } from '@coffer/vault';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { BenchContext } from './harness.ts';

const TOKEN = `EAAG${toHex(randomBytes(126))}`; // 256 B, a Meta CAPI token's size
const REVEAL_ROWS = 2000;
const REWRAP_ROWS = 5000;

const k1 = generateKek().expose();
const keys1 = createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: k1, status: 'primary' }]));
const keys2 = createLocalKeyProvider(
  Keyring.fromKeys([
    { id: 2, key: generateKek().expose(), status: 'primary' },
    { id: 1, key: k1, status: 'active' },
  ]),
);
const who = { actor: 'bench', purpose: 'bench' };

interface RawRows {
  entry: Record<string, unknown>;
  version: Record<string, unknown>;
}

/** A stored record's rows as the driver binds them, with fresh ids, for the raw baselines. */
async function sampleRows(store: VaultStore, dialect: 'sqlite' | 'postgres'): Promise<RawRows> {
  const vault = createVault({ store, envelope: createEnvelope({ provider: keys1 }) });
  const { id } = await vault.put({ kind: 'meta-capi-token', owner: 'org_bench', value: TOKEN });
  const e = await store.getEntry(id);
  const v = await store.getVersion(id, 1);
  if (e === undefined || v === undefined) throw new Error('sample missing');
  const time = (ms: number) => (dialect === 'sqlite' ? ms : new Date(ms));
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
    version: { version: 1, kek_id: v.kekId, sealed: v.sealed, created_at: time(v.createdAt) },
  };
}

interface Target {
  label: string;
  dialect: 'sqlite' | 'postgres';
  store: VaultStore;
  db: Kysely<unknown>;
  close: () => Promise<void>;
}

async function benchTarget(b: BenchContext, t: Target): Promise<void> {
  const raw = t.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const rows = await sampleRows(t.store, t.dialect);
  const uuid = () => crypto.randomUUID();

  // Raw tables: coffer's own DDL under another prefix, so both sides write identical shapes.
  await sql
    .raw(
      t.dialect === 'sqlite'
        ? 'create table raw_single (id text primary key, owner text not null, kind text not null, label text, metadata text not null, preview text not null, version integer not null, kek_id text not null, sealed blob not null, created_at integer not null, updated_at integer not null, deleted_at integer) strict'
        : 'create table raw_single (id uuid primary key, owner text not null, kind text not null, label text, metadata jsonb not null, preview text not null, version integer not null, kek_id text not null, sealed bytea not null, created_at timestamptz not null, updated_at timestamptz not null, deleted_at timestamptz)',
    )
    .execute(t.db);

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

  const sameName = t.dialect === 'postgres' ? 'one statement' : 'one transaction';
  await b.compare({
    name: `${t.label}: vault put 256 B vs raw kysely insert of the same rows`,
    target: 0.7,
    baseline: { name: `raw kysely entry+version insert (${sameName})`, fn: insertSame },
    subject: put,
  });
  await b.compare({
    name: `${t.label}: vault put 256 B vs raw kysely insert of one same-size row`,
    target: 0.7,
    baseline: { name: 'raw kysely single-row insert', fn: insertSingle },
    subject: put,
  });

  // Reveal: cycle over pre-stored rows on both sides.
  const ids: string[] = [];
  const rawSame: string[] = [];
  const rawSingle: string[] = [];
  for (let i = 0; i < REVEAL_ROWS; i++) {
    ids.push((await put()).id);
    rawSame.push(await insertSame());
    rawSingle.push(await insertSingle());
  }
  const reader = createVaultReader({
    store: t.store,
    envelope: createEnvelope({ provider: keys1 }),
    audit: 'unaudited', // measures the store's read path; bench/vault.bench.ts measures with a sink
  });
  let i = 0;
  const next = (list: string[]) => list[i++ % list.length] ?? '';
  const reveal = async () => (await reader.reveal(next(ids), who)).expose();
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

  // Rewrap throughput: REWRAP_ROWS values under KEK 1 moved to KEK 2.
  const before = createVault({ store: t.store, envelope: createEnvelope({ provider: keys1 }) });
  for (let n = 0; n < REWRAP_ROWS; n++) {
    await before.put({ kind: 'k', owner: 'org_rewrap', value: TOKEN });
  }
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
  await t.close();
}

async function sqliteTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-sqlite-'));
  const filename = join(dir, 'bench.db');
  const storage = createSqliteStore({ filename });
  await storage.migrate();
  // The raw tables: coffer's DDL under the prefix raw_.
  const rawStore = createSqliteStore({ db: storage.db, tablePrefix: 'raw_' });
  await rawStore.migrate();
  return {
    label: 'store-sqlite (file, WAL)',
    dialect: 'sqlite',
    store: storage.vault,
    db: storage.db,
    close: async () => {
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
  const storage = createPostgresStore({ connectionString: url.toString(), poolSize: 4 });
  await storage.migrate();
  await createPostgresStore({ db: storage.db, tablePrefix: 'raw_' }).migrate();
  return {
    label: 'store-postgres',
    dialect: 'postgres',
    store: storage.vault,
    db: storage.db,
    close: async () => {
      await storage.close();
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}

export default async function (b: BenchContext): Promise<void> {
  await benchTarget(b, await sqliteTarget());
  const pgTarget = await postgresTarget();
  if (pgTarget !== undefined) await benchTarget(b, pgTarget);
}
