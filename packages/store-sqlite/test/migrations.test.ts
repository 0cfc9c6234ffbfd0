// Migrations: up from an empty file, idempotent, the upgrade from a file holding only 001, the
// shipped plain SQL equals what the Migrator applies, prefixes keep several schemas apart, and
// down removes everything.
import { readFileSync } from 'node:fs';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createMigrationProvider } from '@coffer/store-kysely';
import { createVault, createVaultReader } from '@coffer/vault';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { Migrator, NO_MIGRATIONS } from '../../../test-support/kysely-migration.ts';
import {
  createSqliteStore,
  type SqliteStore,
  sqliteMigrationProvider,
  sqliteMigrations,
} from '../src/index.js';
import { makeTempDir } from './temp-dir.js';

const dir = makeTempDir('migrations');
afterAll(() => dir.remove());
const shipped = (file: string): string =>
  readFileSync(new URL(`../sql/${file}`, import.meta.url), 'utf8');
// Every shipped migration in order (up), and their down files in reverse order.
const shippedSql = [
  shipped('001_init.sql'),
  shipped('002_api_keys.sql'),
  shipped('003_api_key_tier.sql'),
].join('\n');
const shippedDown = [
  shipped('003_api_key_tier.down.sql'),
  shipped('002_api_keys.down.sql'),
  shipped('001_init.down.sql'),
].join('\n');
const ALL = ['coffer_001_init', 'coffer_002_api_keys', 'coffer_003_api_key_tier'];
const KEY_ID = '0123456789ABCDEF';

async function apiKeyRoundTrip(storage: SqliteStore): Promise<string | undefined> {
  await storage.apiKeys.insertKey({
    keyId: KEY_ID,
    organizationId: 'org_1',
    env: 'live',
    name: 'migrated',
    scopes: ['events:read'],
    tier: 'standard',
    start: `lp_live_${KEY_ID}`,
    secretHash: 'hash',
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    createdAt: 1_750_000_000_000,
    expiresAt: null,
    rotatedAt: null,
    revokedAt: null,
    killed: false,
    lastUsedAt: null,
    revision: 1,
  });
  return (await storage.apiKeys.getKey(KEY_ID))?.name;
}

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
  const reader = createVaultReader({ store: storage.vault, envelope, audit: 'unaudited' });
  return (await reader.reveal(id, { actor: 't', purpose: 't' })).expose();
}

describe('SQLite migrations', () => {
  it('migrate() goes up from an empty file, then is a no-op (twice, and from a new connection)', async () => {
    const filename = dir.file('up.db');
    const storage = createSqliteStore({ filename });
    expect(await storage.migrate()).toEqual({ applied: ALL });
    expect(await storage.migrate()).toEqual({ applied: [] });
    await storage.close();
    const again = createSqliteStore({ filename });
    expect(await again.migrate()).toEqual({ applied: [] });
    expect(await roundTrip(again)).toBe('value-migrated-0123456');
    expect(await apiKeyRoundTrip(again)).toBe('migrated');
    await again.close();
    const names = schemaOf(filename).map((r) => r.name);
    expect(names).toEqual([
      'coffer_api_key',
      'coffer_api_key_organization_idx',
      'coffer_kill_switch',
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
    const keys = tables.find((t) => t.name === 'coffer_api_key');
    expect(String(keys?.sql)).toMatch(/killed integer not null default 0/);
    expect(String(keys?.sql)).toMatch(/previous_secret_expires_at integer,/);
    expect(String(keys?.sql)).toMatch(/scopes text not null/);
    expect(tables.map((t) => t.name)).toContain('coffer_kill_switch');
  });

  it('upgrades a file that holds only 001 (and its data): migrate() applies 002 alone', async () => {
    const filename = dir.file('upgrade.db');
    // What an earlier release of this package left behind: 001 applied through the Migrator.
    const old = new Kysely<unknown>({
      dialect: new SqliteDialect({ database: new Database(filename) }),
    });
    const [init] = sqliteMigrations();
    if (init === undefined) throw new Error('no migration');
    const migrator = new Migrator({
      db: old,
      provider: createMigrationProvider([init]),
      migrationTableName: 'coffer_migration',
      migrationLockTableName: 'coffer_migration_lock',
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    await old.destroy();
    const before = createSqliteStore({ filename });
    const vault = createVault({ store: before.vault, envelope });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-before-upgrade-01' });
    await before.close();

    const storage = createSqliteStore({ filename });
    expect(await storage.migrate()).toEqual({
      applied: ['coffer_002_api_keys', 'coffer_003_api_key_tier'],
    });
    expect(await storage.migrate()).toEqual({ applied: [] });
    const reader = createVaultReader({ store: storage.vault, envelope, audit: 'unaudited' });
    expect((await reader.reveal(id, { actor: 't', purpose: 't' })).expose()).toBe(
      'value-before-upgrade-01',
    );
    expect(await apiKeyRoundTrip(storage)).toBe('migrated');
    await storage.close();
    expect(schemaOf(filename)).toEqual(schemaOf(dir.file('up.db')));
  });

  it('the shipped sql/001_init.sql + 002_api_keys.sql build the same schema as the Migrator, twice over, and the store works on it', async () => {
    const viaMigrator = dir.file('migrator.db');
    const m = createSqliteStore({ filename: viaMigrator });
    await m.migrate();
    await m.close();

    const viaFile = dir.file('plain.db');
    const raw = new Database(viaFile);
    raw.exec(shippedSql);
    // idempotent, but for 003: SQLite has no `add column if not exists` (its file says so)
    raw.exec(shippedSql.slice(0, shippedSql.indexOf('-- coffer coffer_003')));
    raw.close();
    expect(schemaOf(viaFile)).toEqual(schemaOf(viaMigrator));

    const storage = createSqliteStore({ filename: viaFile });
    expect(await roundTrip(storage)).toBe('value-migrated-0123456');
    expect(await apiKeyRoundTrip(storage)).toBe('migrated');
    // A later switch to migrate() records the migrations without failing on existing tables.
    expect(await storage.migrate()).toEqual({ applied: ALL });
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
    expect(await a.migrate()).toEqual({ applied: ALL });
    expect(await b.migrate()).toEqual({ applied: ALL });
    const vault = createVault({ store: a.vault, envelope });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-prefix-a-012345' });
    expect(await b.vault.getEntry(id)).toBeUndefined();
    expect((await a.vault.getEntry(id))?.id).toBe(id);
    await a.apiKeys.setKillSwitch({ scope: 'global' }, true, 1);
    expect(await b.apiKeys.getKillSwitch({ scope: 'global' })).toBe(false);
    expect(schemaOf(filename, 'tenant_b_').length).toBe(9);
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
    expect(schemaOf(filename).length).toBe(9);
    const down = await migrator.migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([
      ['coffer_003_api_key_tier', 'Down', 'Success'],
      ['coffer_002_api_keys', 'Down', 'Success'],
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
    const [, apiKeys] = sqliteMigrations({ tablePrefix: 'acme_' });
    expect(apiKeys?.name).toBe('coffer_002_api_keys');
    expect(apiKeys?.up.join('\n')).not.toContain('coffer_');
    expect(apiKeys?.up[0]?.startsWith('create table if not exists "acme_api_key"')).toBe(true);
    expect(
      init?.up.some((s) => s.startsWith('create table if not exists "acme_vault_entries"')),
    ).toBe(true);
  });
});
