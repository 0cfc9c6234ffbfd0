import {
  createMigrationProvider,
  type KyselyMigrationProvider,
  resolveTablePrefix,
  type SqlMigration,
  tableNames,
} from '@coffer/store-kysely';

const MIGRATION_001 = 'coffer_001_init';
const MIGRATION_002 = 'coffer_002_api_keys';
const MIGRATION_003 = 'coffer_003_api_key_tier';
const MIGRATION_004 = 'coffer_004_vault_names_status';
const MIGRATION_005 = 'coffer_005_api_key_audit';
/**
 * Recorded, with nothing to do: on PostgreSQL it adds the change-feed triggers (LISTEN / NOTIFY);
 * SQLite has no such feed (use Redis pub/sub, `@coffer/redis`). It exists so every dialect shares
 * one migration history.
 */
const MIGRATION_006 = 'coffer_006_api_key_change_notify';

/**
 * Where coffer's SQLite tables live.
 *
 * @example
 * ```ts
 * import type { SqliteSchemaOptions } from '@coffer/store-sqlite';
 *
 * const options: SqliteSchemaOptions = { tablePrefix: 'app_' };
 * ```
 */
export interface SqliteSchemaOptions {
  /** Prefix of every table and index name. Default `'coffer_'`; `''` for none. */
  tablePrefix?: string;
}

/**
 * coffer's SQLite migrations as plain SQL statements, rendered for a table prefix:
 * `coffer_001_init` (the vault tables), `coffer_002_api_keys` (API keys and kill switches),
 * `coffer_003_api_key_tier` (each key's rate-limit tier), `coffer_004_vault_names_status`
 * (vault entries' name, status and revision, and the unique index over live names) and
 * `coffer_005_api_key_audit` (each key's metadata and the audit trail of key administration). The
 * package ships the default rendering as `sql/001_init.sql` … `sql/005_api_key_audit.sql`; call this
 * to render your own for a migration tool other than Kysely's. `003` to `005` add columns, which
 * SQLite cannot do idempotently: apply their files once (the Migrator checks `upDoneIf` first). Tables are `STRICT` (types
 * enforced), times are integer epoch milliseconds, booleans 0/1 integers, sealed values blobs.
 *
 * @param options The table prefix.
 * @returns The migrations in order, each with `up` and `down` statements.
 * @throws {InvalidInputError} `INVALID_INPUT` when the prefix is not a plain identifier.
 *
 * @example
 * ```ts
 * import { sqliteMigrations } from '@coffer/store-sqlite';
 *
 * const [init] = sqliteMigrations({ tablePrefix: 'acme_' });
 * const script = init?.up.map((s) => `${s};`).join('\n'); // for sqlite3 app.db < script.sql
 * script?.includes('create table if not exists "acme_vault_entries"'); // true
 * ```
 */
export function sqliteMigrations(options: SqliteSchemaOptions = {}): readonly SqlMigration[] {
  const prefix = resolveTablePrefix(options.tablePrefix);
  const n = tableNames(prefix);
  const q = (table: string): string => `"${table}"`;
  const up = [
    `create table if not exists ${q(n.vaultEntries)} (
  id text primary key not null,
  owner text not null,
  kind text not null,
  label text,
  metadata text not null,
  preview text not null,
  version integer not null check (version >= 1),
  created_at integer not null,
  updated_at integer not null,
  deleted_at integer
) strict`,
    // listEntries: owner (+ kind), id order.
    `create index if not exists "${prefix}vault_entries_owner_idx" on ${q(n.vaultEntries)} (owner, id)`,
    `create index if not exists "${prefix}vault_entries_owner_kind_idx" on ${q(n.vaultEntries)} (owner, kind, id)`,
    // scanExpired: only soft-deleted rows are indexed.
    `create index if not exists "${prefix}vault_entries_deleted_idx" on ${q(n.vaultEntries)} (deleted_at, id) where deleted_at is not null`,
    `create table if not exists ${q(n.vaultVersions)} (
  entry_id text not null references ${q(n.vaultEntries)} (id) on delete cascade,
  version integer not null check (version >= 1),
  kek_id text not null,
  sealed blob not null,
  created_at integer not null,
  primary key (entry_id, version)
) strict`,
    // scanForRewrap (rows off the primary KEK) and listKekIds.
    `create index if not exists "${prefix}vault_versions_kek_idx" on ${q(n.vaultVersions)} (kek_id, entry_id, version)`,
  ];
  const down = [
    `drop table if exists ${q(n.vaultVersions)}`,
    `drop table if exists ${q(n.vaultEntries)}`,
  ];
  // API keys: key ids are 16 characters; booleans are 0/1 integers; scopes a JSON array as text.
  const apiKeysUp = [
    `create table if not exists ${q(n.apiKeys)} (
  key_id text primary key not null check (length(key_id) = 16),
  organization_id text not null,
  env text not null check (env in ('live', 'test')),
  name text not null,
  scopes text not null,
  start text not null,
  secret_hash text not null,
  previous_secret_hash text,
  previous_secret_expires_at integer,
  created_at integer not null,
  expires_at integer,
  rotated_at integer,
  revoked_at integer,
  killed integer not null default 0 check (killed in (0, 1)),
  last_used_at integer,
  revision integer not null check (revision >= 1)
) strict`,
    // listKeys: one organization in key_id order.
    `create index if not exists "${prefix}api_key_organization_idx" on ${q(n.apiKeys)} (organization_id, key_id)`,
    `create table if not exists ${q(n.apiKeySwitches)} (
  target text primary key not null,
  killed integer not null default 0 check (killed in (0, 1)),
  updated_at integer not null
) strict`,
  ];
  const apiKeysDown = [
    `drop table if exists ${q(n.apiKeySwitches)}`,
    `drop table if exists ${q(n.apiKeys)}`,
  ];
  // 003: each key's rate-limit tier; existing keys become `standard`, the manager's default.
  // SQLite has no `add column if not exists`: the Migrator asks pragma_table_info first (so
  // migrate() after the plain SQL file still only records it); the file itself is for one run.
  const hasTier = `select 1 from pragma_table_info('${n.apiKeys}') where name = 'tier'`;
  const tierUp = [
    `alter table ${q(n.apiKeys)} add column tier text not null default 'standard' check (length(tier) between 1 and 64)`,
  ];
  const tierDown = [`alter table ${q(n.apiKeys)} drop column tier`];
  // 004: vault entries' name (unique per owner among live entries: a partial unique index, which
  // also serves lookups by name), clear-text status, and the revision of their clear-text fields.
  // Existing entries get no name, no status, revision 1. Done when the index exists (it comes
  // last); undone when the name column (dropped last) is gone.
  const namesIndex = `${prefix}vault_entries_name_idx`;
  const namesUp = [
    `alter table ${q(n.vaultEntries)} add column name text check (length(name) between 1 and 128)`,
    `alter table ${q(n.vaultEntries)} add column status text check (length(status) between 1 and 32)`,
    `alter table ${q(n.vaultEntries)} add column revision integer not null default 1 check (revision >= 1)`,
    `create unique index if not exists "${namesIndex}" on ${q(n.vaultEntries)} (owner, name) where name is not null and deleted_at is null`,
  ];
  const namesDown = [
    `drop index if exists "${namesIndex}"`,
    `alter table ${q(n.vaultEntries)} drop column revision`,
    `alter table ${q(n.vaultEntries)} drop column status`,
    `alter table ${q(n.vaultEntries)} drop column name`,
  ];
  const hasNames = `select 1 from pragma_table_info('${n.vaultEntries}') where name = 'name'`;
  // 005: each key's metadata (a JSON object as text; existing keys get `{}`) and the audit trail
  // of key administration, listed newest first per key, per organization and overall. Done when
  // the audit table (created last) exists; undone when the metadata column (dropped last) is gone.
  const auditUp = [
    `alter table ${q(n.apiKeys)} add column metadata text not null default '{}'`,
    `create table if not exists ${q(n.apiKeyAudit)} (
  id text primary key not null check (length(id) = 26),
  at integer not null,
  type text not null check (length(type) between 1 and 32),
  key_id text,
  organization_id text,
  actor text not null check (length(actor) between 1 and 256),
  reason text check (length(reason) between 1 and 1000),
  request_id text check (length(request_id) between 1 and 200)
) strict`,
    `create index if not exists "${prefix}api_key_audit_key_idx" on ${q(n.apiKeyAudit)} (key_id, at, id)`,
    `create index if not exists "${prefix}api_key_audit_organization_idx" on ${q(n.apiKeyAudit)} (organization_id, at, id)`,
    `create index if not exists "${prefix}api_key_audit_at_idx" on ${q(n.apiKeyAudit)} (at, id)`,
  ];
  const auditDown = [
    `drop table if exists ${q(n.apiKeyAudit)}`,
    `alter table ${q(n.apiKeys)} drop column metadata`,
  ];
  const hasMetadata = `select 1 from pragma_table_info('${n.apiKeys}') where name = 'metadata'`;
  return [
    { name: MIGRATION_001, up, down },
    { name: MIGRATION_002, up: apiKeysUp, down: apiKeysDown },
    {
      name: MIGRATION_003,
      up: tierUp,
      down: tierDown,
      upDoneIf: hasTier,
      downDoneIf: `select 1 where not exists (${hasTier})`,
    },
    {
      name: MIGRATION_004,
      up: namesUp,
      down: namesDown,
      upDoneIf: `select 1 from sqlite_master where type = 'index' and name = '${namesIndex}'`,
      downDoneIf: `select 1 where not exists (${hasNames})`,
    },
    {
      name: MIGRATION_005,
      up: auditUp,
      down: auditDown,
      upDoneIf: `select 1 from sqlite_master where type = 'table' and name = '${n.apiKeyAudit}'`,
      downDoneIf: `select 1 where not exists (${hasMetadata})`,
    },
    { name: MIGRATION_006, up: [], down: [] },
  ];
}

/**
 * A provider for Kysely's `Migrator` (kysely 0.28 and 0.29) with coffer's SQLite schema, for hosts
 * that run the `Migrator` themselves. Use coffer's own migration tables (`<prefix>migration`,
 * `<prefix>migration_lock`) so the histories do not mix — or simply call the store's `migrate()`.
 *
 * @param options The table prefix.
 * @returns The provider.
 * @throws {InvalidInputError} `INVALID_INPUT` when the prefix is not a plain identifier.
 *
 * @example
 * ```ts
 * import { sqliteMigrationProvider } from '@coffer/store-sqlite';
 * import Database from 'better-sqlite3';
 * import { Kysely, SqliteDialect } from 'kysely';
 * import { Migrator } from 'kysely/migration'; // kysely 0.29; on 0.28: from 'kysely'
 *
 * const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
 * const migrator = new Migrator({
 *   db,
 *   provider: sqliteMigrationProvider(),
 *   migrationTableName: 'coffer_migration',
 *   migrationLockTableName: 'coffer_migration_lock',
 * });
 * const { error } = await migrator.migrateToLatest();
 * if (error !== undefined) throw error;
 * await db.destroy();
 * ```
 */
export function sqliteMigrationProvider(
  options: SqliteSchemaOptions = {},
): KyselyMigrationProvider {
  return createMigrationProvider(sqliteMigrations(options));
}
