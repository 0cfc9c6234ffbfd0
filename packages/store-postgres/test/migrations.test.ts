// Migrations: up from an empty database (into a schema or search_path), idempotent and safe to
// run concurrently, the upgrade from a database holding only 001, the shipped plain SQL equals
// what the Migrator applies, native column types, and down removes everything.
import { readFileSync } from 'node:fs';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createMigrationProvider } from '@coffer/store-kysely';
import { createVault, createVaultReader, type VaultStore } from '@coffer/vault';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator, NO_MIGRATIONS } from '../../../test-support/kysely-migration.ts';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import {
  createPostgresStore,
  type PostgresStore,
  postgresMigrationProvider,
  postgresMigrations,
} from '../src/index.js';

let database: TestDatabase;
let db: Kysely<unknown>;
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

async function apiKeyRoundTrip(storage: PostgresStore): Promise<string | undefined> {
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

beforeAll(async () => {
  database = await createTestDatabase('pg_migrations');
  db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 8 }) }),
  });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

interface Column {
  table_name: string;
  column_name: string;
  data_type: string;
  is_nullable: string;
}

async function columnsOf(schema: string): Promise<Column[]> {
  const r = await sql<Column>`
    select table_name, column_name, data_type, is_nullable from information_schema.columns
    where table_schema = ${schema} and table_name not like '%migration%'
    order by table_name, ordinal_position`.execute(db);
  return r.rows;
}

async function indexesOf(schema: string): Promise<string[]> {
  const r = await sql<{ indexdef: string }>`
    select indexdef from pg_indexes where schemaname = ${schema} and tablename not like '%migration%'
    order by indexname`.execute(db);
  return r.rows.map((x) => x.indexdef.replaceAll(`${schema}.`, 'S.'));
}

const envelope = createEnvelope({
  provider: createLocalKeyProvider(
    Keyring.fromKeys([{ id: 1, key: generateKek().expose(), status: 'primary' }]),
  ),
});

async function roundTrip(store: VaultStore): Promise<string> {
  const vault = createVault({ store, envelope });
  const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-migrated-0123456' });
  const reader = createVaultReader({ store, envelope, audit: 'unaudited' });
  return (await reader.reveal(id, { actor: 't', purpose: 't' })).expose();
}

describe('PostgreSQL migrations', () => {
  it('migrate() goes up from empty into a new schema, then is a no-op', async () => {
    const storage = createPostgresStore({ db, schema: 'm_up' });
    expect(await storage.migrate()).toEqual({ applied: ALL });
    expect(await storage.migrate()).toEqual({ applied: [] });
    expect(await createPostgresStore({ db, schema: 'm_up' }).migrate()).toEqual({ applied: [] });
    expect(await roundTrip(storage.vault)).toBe('value-migrated-0123456');
    expect(await apiKeyRoundTrip(storage)).toBe('migrated');
    const migrations = await sql<{ name: string }>`select name from m_up.coffer_migration`.execute(
      db,
    );
    expect(migrations.rows.map((r) => r.name)).toEqual(ALL);
  });

  it('uses native types: uuid, bytea, timestamptz, jsonb, boolean', async () => {
    const cols = await columnsOf('m_up');
    const type = (t: string, c: string) =>
      cols.find((x) => x.table_name === `coffer_${t}` && x.column_name === c)?.data_type;
    expect(type('vault_entries', 'id')).toBe('uuid');
    expect(type('vault_entries', 'metadata')).toBe('jsonb');
    expect(type('vault_entries', 'created_at')).toBe('timestamp with time zone');
    expect(type('vault_entries', 'deleted_at')).toBe('timestamp with time zone');
    expect(type('vault_versions', 'entry_id')).toBe('uuid');
    expect(type('vault_versions', 'sealed')).toBe('bytea');
    expect(type('api_key', 'key_id')).toBe('text');
    expect(type('api_key', 'scopes')).toBe('jsonb');
    expect(type('api_key', 'killed')).toBe('boolean');
    expect(type('api_key', 'revision')).toBe('bigint');
    for (const c of ['previous_secret_expires_at', 'created_at', 'expires_at', 'last_used_at']) {
      expect(type('api_key', c)).toBe('timestamp with time zone');
    }
    expect(type('kill_switch', 'killed')).toBe('boolean');
    expect(type('kill_switch', 'updated_at')).toBe('timestamp with time zone');
    expect(await indexesOf('m_up')).toEqual([
      'CREATE INDEX coffer_api_key_organization_idx ON S.coffer_api_key USING btree (organization_id, key_id)',
      'CREATE UNIQUE INDEX coffer_api_key_pkey ON S.coffer_api_key USING btree (key_id)',
      'CREATE UNIQUE INDEX coffer_kill_switch_pkey ON S.coffer_kill_switch USING btree (target)',
      'CREATE INDEX coffer_vault_entries_deleted_idx ON S.coffer_vault_entries USING btree (deleted_at, id) WHERE (deleted_at IS NOT NULL)',
      'CREATE INDEX coffer_vault_entries_owner_idx ON S.coffer_vault_entries USING btree (owner, id)',
      'CREATE INDEX coffer_vault_entries_owner_kind_idx ON S.coffer_vault_entries USING btree (owner, kind, id)',
      'CREATE UNIQUE INDEX coffer_vault_entries_pkey ON S.coffer_vault_entries USING btree (id)',
      'CREATE INDEX coffer_vault_versions_kek_idx ON S.coffer_vault_versions USING btree (kek_id, entry_id, version)',
      'CREATE UNIQUE INDEX coffer_vault_versions_pkey ON S.coffer_vault_versions USING btree (entry_id, version)',
    ]);
  });

  it('concurrent migrate() from several pools applies the migration once', async () => {
    const pools = [0, 1, 2].map(() =>
      createPostgresStore({ connectionString: database.url, poolSize: 2, schema: 'm_conc' }),
    );
    const reports = await Promise.all(pools.map((p) => p.migrate()));
    expect(reports.flatMap((r) => r.applied).sort()).toEqual(ALL);
    for (const p of pools) await p.close();
  });

  it('upgrades a database that holds only 001 (and its data): migrate() applies 002 alone', async () => {
    // What an earlier release of this package left behind: 001 applied through the Migrator.
    const [init] = postgresMigrations({ schema: 'm_upgrade' });
    if (init === undefined) throw new Error('no migration');
    const migrator = new Migrator({
      db,
      provider: createMigrationProvider([init]),
      migrationTableName: 'coffer_migration',
      migrationLockTableName: 'coffer_migration_lock',
      migrationTableSchema: 'm_upgrade',
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const storage = createPostgresStore({ db, schema: 'm_upgrade' });
    const vault = createVault({ store: storage.vault, envelope });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-before-upgrade-01' });

    expect(await storage.migrate()).toEqual({
      applied: ['coffer_002_api_keys', 'coffer_003_api_key_tier'],
    });
    expect(await storage.migrate()).toEqual({ applied: [] });
    const reader = createVaultReader({ store: storage.vault, envelope, audit: 'unaudited' });
    expect((await reader.reveal(id, { actor: 't', purpose: 't' })).expose()).toBe(
      'value-before-upgrade-01',
    );
    expect(await apiKeyRoundTrip(storage)).toBe('migrated');
    expect(await columnsOf('m_upgrade')).toEqual(await columnsOf('m_up'));
    expect(await indexesOf('m_upgrade')).toEqual(await indexesOf('m_up'));
  });

  it('the shipped sql/001_init.sql + 002_api_keys.sql (search_path) build the Migrator schema, twice over, and the store works on it', async () => {
    await sql`create schema plain_sql`.execute(db);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('set search_path to plain_sql');
      await client.query(shippedSql);
      await client.query(shippedSql); // idempotent
    } finally {
      await client.end();
    }
    const viaMigrator = createPostgresStore({ db, schema: 'via_migrator' });
    await viaMigrator.migrate();
    expect(await columnsOf('plain_sql')).toEqual(await columnsOf('via_migrator'));
    expect(await indexesOf('plain_sql')).toEqual(await indexesOf('via_migrator'));
    const storage = createPostgresStore({ db, schema: 'plain_sql' });
    expect(await roundTrip(storage.vault)).toBe('value-migrated-0123456');
    expect(await apiKeyRoundTrip(storage)).toBe('migrated');
    expect(await storage.migrate()).toEqual({ applied: ALL });
  });

  it('the shipped down file removes every coffer table', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('create schema plain_down; set search_path to plain_down');
      await client.query(shippedSql);
      await client.query(shippedDown);
    } finally {
      await client.end();
    }
    expect(await columnsOf('plain_down')).toEqual([]);
  });

  it('without a schema, tables go where search_path points (public)', async () => {
    const storage = createPostgresStore({ db, tablePrefix: 'nos_' });
    expect(await storage.migrate()).toEqual({ applied: ALL });
    const cols = await columnsOf('public');
    expect(cols.some((c) => c.table_name === 'nos_vault_entries')).toBe(true);
    expect(cols.some((c) => c.table_name === 'nos_api_key')).toBe(true);
    expect(await apiKeyRoundTrip(storage)).toBe('migrated');
    expect(await roundTrip(storage.vault)).toBe('value-migrated-0123456');
  });

  it('prefixes keep two coffer schemas apart in one PostgreSQL schema', async () => {
    const a = createPostgresStore({ db, schema: 'm_pref', tablePrefix: 'a_' });
    const b = createPostgresStore({ db, schema: 'm_pref', tablePrefix: 'b_' });
    await a.migrate();
    await b.migrate();
    const vault = createVault({ store: a.vault, envelope });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-prefix-a-012345' });
    expect(await b.vault.getEntry(id)).toBeUndefined();
    expect((await a.vault.getEntry(id))?.id).toBe(id);
    await a.apiKeys.setKillSwitch({ scope: 'global' }, true, 1);
    expect(await b.apiKeys.getKillSwitch({ scope: 'global' })).toBe(false);
    expect(await a.apiKeys.getKillSwitch({ scope: 'global' })).toBe(true);
  });

  it("Kysely's Migrator with the provider goes up and down", async () => {
    const migrator = new Migrator({
      db,
      provider: postgresMigrationProvider({ schema: 'm_down' }),
      migrationTableName: 'coffer_migration',
      migrationLockTableName: 'coffer_migration_lock',
      migrationTableSchema: 'm_down',
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect((await columnsOf('m_down')).length).toBeGreaterThan(0);
    const down = await migrator.migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([
      ['coffer_003_api_key_tier', 'Down', 'Success'],
      ['coffer_002_api_keys', 'Down', 'Success'],
      ['coffer_001_init', 'Down', 'Success'],
    ]);
    expect(await columnsOf('m_down')).toEqual([]);
  });

  it('a failing migration surfaces as MIGRATION_FAILED and leaves nothing behind', async () => {
    await sql`create schema m_fail`.execute(db);
    await sql`create view m_fail.coffer_vault_versions as select 1 as x`.execute(db);
    const storage = createPostgresStore({ db, schema: 'm_fail' });
    await expect(storage.migrate()).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
      details: { migration: 'coffer_001_init', migrationTable: 'coffer_migration' },
    });
    const cols = await columnsOf('m_fail');
    expect(cols.some((c) => c.table_name === 'coffer_vault_entries')).toBe(false);
  });

  it('renders statements for another prefix and schema', () => {
    const [init] = postgresMigrations({ tablePrefix: 'acme_', schema: 'secrets' });
    const script = init?.up.map((s) => `${s};`).join('\n');
    expect(script?.startsWith('create schema if not exists "secrets";')).toBe(true);
    expect(script).toContain('create table if not exists "secrets"."acme_vault_entries"');
    expect(script).not.toContain('coffer_vault');
    const [, apiKeys] = postgresMigrations({ tablePrefix: 'acme_', schema: 'secrets' });
    expect(apiKeys?.name).toBe('coffer_002_api_keys');
    expect(apiKeys?.up.join('\n')).toContain('create table if not exists "secrets"."acme_api_key"');
    expect(apiKeys?.up.join('\n')).not.toContain('coffer_');
  });
});
