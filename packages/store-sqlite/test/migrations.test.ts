// Migrations: up from an empty file, idempotent, the shipped plain SQL equals what the Migrator
// applies, prefixes keep several schemas apart, and down removes everything.
import { readFileSync } from 'node:fs';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createVault, createVaultReader } from '@coffer/vault';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore, sqliteMigrationProvider, sqliteMigrations } from '../src/index.js';
import { makeTempDir } from './temp-dir.js';

const dir = makeTempDir('migrations');
afterAll(() => dir.remove());
const shippedSql = readFileSync(new URL('../sql/001_init.sql', import.meta.url), 'utf8');
const shippedDown = readFileSync(new URL('../sql/001_init.down.sql', import.meta.url), 'utf8');

function schemaOf(file: string, prefix = 'coffer_'): Array<Record<string, unknown>> {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare(
        `select type, name, tbl_name, sql from sqlite_master
         where name like ? escape '\\' and name not like '%migration%' order by name`,
      )
      .all(`${prefix.replaceAll('_', '\\_')}%`) as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

const envelope = createEnvelope({
  provider: createLocalKeyProvider(
    Keyring.fromKeys([{ id: 1, key: generateKek().expose(), status: 'primary' }]),
  ),
});

async function roundTrip(storage: { vault: Parameters<typeof createVault>[0]['store'] }) {
  const vault = createVault({ store: storage.vault, envelope });
  const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-migrated-0123456' });
  const reader = createVaultReader({ store: storage.vault, envelope });
  return (await reader.reveal(id, { actor: 't', purpose: 't' })).expose();
}

describe('SQLite migrations', () => {
  it('migrate() goes up from an empty file, then is a no-op (twice, and from a new connection)', async () => {
    const filename = dir.file('up.db');
    const storage = createSqliteStore({ filename });
    expect(await storage.migrate()).toEqual({ applied: ['coffer_001_init'] });
    expect(await storage.migrate()).toEqual({ applied: [] });
    await storage.close();
    const again = createSqliteStore({ filename });
    expect(await again.migrate()).toEqual({ applied: [] });
    expect(await roundTrip(again)).toBe('value-migrated-0123456');
    await again.close();
    const names = schemaOf(filename).map((r) => r.name);
    expect(names).toEqual([
      'coffer_vault_entries',
      'coffer_vault_entries_deleted_idx',
      'coffer_vault_entries_owner_idx',
      'coffer_vault_entries_owner_kind_idx',
      'coffer_vault_versions',
      'coffer_vault_versions_kek_idx',
    ]);
  });

  it('uses STRICT tables, integer times and blobs', () => {
    const filename = dir.file('up.db');
    const tables = schemaOf(filename).filter((r) => r.type === 'table');
    for (const t of tables) expect(String(t.sql)).toMatch(/\)\s*strict$/);
    const versions = tables.find((t) => t.name === 'coffer_vault_versions');
    expect(String(versions?.sql)).toMatch(/sealed blob not null/);
    expect(String(versions?.sql)).toMatch(/created_at integer not null/);
  });

  it('the shipped sql/001_init.sql builds the same schema as the Migrator, twice over, and the store works on it', async () => {
    const viaMigrator = dir.file('migrator.db');
    const m = createSqliteStore({ filename: viaMigrator });
    await m.migrate();
    await m.close();

    const viaFile = dir.file('plain.db');
    const raw = new Database(viaFile);
    raw.exec(shippedSql);
    raw.exec(shippedSql); // idempotent
    raw.close();
    expect(schemaOf(viaFile)).toEqual(schemaOf(viaMigrator));

    const storage = createSqliteStore({ filename: viaFile });
    expect(await roundTrip(storage)).toBe('value-migrated-0123456');
    // A later switch to migrate() records the migration without failing on existing tables.
    expect(await storage.migrate()).toEqual({ applied: ['coffer_001_init'] });
    await storage.close();
  });

  it('the shipped down file removes every coffer table', () => {
    const filename = dir.file('down.db');
    const raw = new Database(filename);
    raw.exec(shippedSql);
    raw.exec(shippedDown);
    expect(schemaOf(filename)).toEqual([]);
    raw.close();
  });

  it('prefixes keep two coffer schemas apart in one file', async () => {
    const filename = dir.file('prefixes.db');
    const a = createSqliteStore({ filename, tablePrefix: 'tenant_a_' });
    const b = createSqliteStore({ filename, tablePrefix: 'tenant_b_' });
    expect(await a.migrate()).toEqual({ applied: ['coffer_001_init'] });
    expect(await b.migrate()).toEqual({ applied: ['coffer_001_init'] });
    const vault = createVault({ store: a.vault, envelope });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-prefix-a-012345' });
    expect(await b.vault.getEntry(id)).toBeUndefined();
    expect((await a.vault.getEntry(id))?.id).toBe(id);
    expect(schemaOf(filename, 'tenant_b_').length).toBe(6);
    expect(schemaOf(filename, 'coffer_')).toEqual([]);
    await a.close();
    await b.close();
  });

  it("Kysely's Migrator with the provider goes up and down", async () => {
    const filename = dir.file('updown.db');
    const db = new Kysely<unknown>({
      dialect: new SqliteDialect({ database: new Database(filename) }),
    });
    const migrator = new Migrator({
      db,
      provider: sqliteMigrationProvider(),
      migrationTableName: 'coffer_migration',
      migrationLockTableName: 'coffer_migration_lock',
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(schemaOf(filename).length).toBe(6);
    const down = await migrator.migrateDown();
    expect(down.error).toBeUndefined();
    expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([
      ['coffer_001_init', 'Down', 'Success'],
    ]);
    expect(schemaOf(filename)).toEqual([]);
    await db.destroy();
  });

  it('a failing migration surfaces as MIGRATION_FAILED with the migration name', async () => {
    const filename = dir.file('fail.db');
    const raw = new Database(filename);
    // A foreign object with coffer's table name makes the migration fail.
    raw.exec('create view coffer_vault_entries as select 1 as id');
    raw.close();
    const storage = createSqliteStore({ filename });
    await expect(storage.migrate()).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
      details: { migration: 'coffer_001_init', migrationTable: 'coffer_migration' },
    });
    await storage.close();
  });

  it('renders statements for another prefix', () => {
    const [init] = sqliteMigrations({ tablePrefix: 'acme_' });
    expect(init?.name).toBe('coffer_001_init');
    expect(init?.up.join('\n')).not.toContain('coffer_vault');
    expect(
      init?.up.some((s) => s.startsWith('create table if not exists "acme_vault_entries"')),
    ).toBe(true);
  });
});
