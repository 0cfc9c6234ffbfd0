import {
  createMigrationProvider,
  type KyselyMigrationProvider,
  resolveSchemaName,
  resolveTablePrefix,
  type SqlMigration,
  tableNames,
} from '@coffer/store-kysely';
import { postgresApiKeyChangeChannel } from './postgres-change-channel.js';

const MIGRATION_001 = 'coffer_001_init';
const MIGRATION_002 = 'coffer_002_api_keys';
const MIGRATION_003 = 'coffer_003_api_key_tier';
const MIGRATION_004 = 'coffer_004_vault_names_status';
const MIGRATION_005 = 'coffer_005_api_key_audit';
const MIGRATION_006 = 'coffer_006_api_key_change_notify';

/**
 * Where coffer's PostgreSQL tables live.
 *
 * @example
 * ```ts
 * import type { PostgresSchemaOptions } from '@coffer/store-postgres';
 *
 * const options: PostgresSchemaOptions = { schema: 'secrets', tablePrefix: '' };
 * ```
 */
export interface PostgresSchemaOptions {
  /** Prefix of every table and index name. Default `'coffer_'`; `''` for none. */
  tablePrefix?: string;
  /**
   * Schema for the tables (created if missing). Default: none — names are unqualified and the
   * connection's `search_path` decides (normally `public`).
   */
  schema?: string;
}

/**
 * coffer's PostgreSQL migrations as plain SQL statements, rendered for a prefix and schema:
 * `coffer_001_init` (the vault tables), `coffer_002_api_keys` (API keys and kill switches),
 * `coffer_003_api_key_tier` (each key's rate-limit tier), `coffer_004_vault_names_status`
 * (vault entries' name, status and revision, and the unique index over live names),
 * `coffer_005_api_key_audit` (each key's metadata and the audit trail of key administration) and
 * `coffer_006_api_key_change_notify` (the triggers that `NOTIFY` {@link postgresApiKeyChangeChannel}
 * of every API-key and kill-switch change, in the changing transaction). The package ships the
 * default rendering as `sql/001_init.sql` … `sql/006_api_key_change_notify.sql`; call this
 * to render your own for a migration tool other than Kysely's.
 *
 * @param options Prefix and schema.
 * @returns The migrations in order, each with `up` and `down` statements.
 * @throws {InvalidInputError} `INVALID_INPUT` when the prefix or schema is not a plain identifier.
 *
 * @example
 * ```ts
 * import { postgresMigrations } from '@coffer/store-postgres';
 *
 * const [init] = postgresMigrations({ tablePrefix: 'acme_', schema: 'secrets' });
 * const script = init?.up.map((s) => `${s};`).join('\n'); // for Flyway, Sqitch, psql -f …
 * script?.includes('create table if not exists "secrets"."acme_vault_entries"'); // true
 * ```
 */
export function postgresMigrations(options: PostgresSchemaOptions = {}): readonly SqlMigration[] {
  const prefix = resolveTablePrefix(options.tablePrefix);
  const schema = resolveSchemaName(options.schema);
  const n = tableNames(prefix);
  const q = (table: string): string =>
    schema === undefined ? `"${table}"` : `"${schema}"."${table}"`;
  const up: string[] = [];
  if (schema !== undefined) up.push(`create schema if not exists "${schema}"`);
  up.push(
    `create table if not exists ${q(n.vaultEntries)} (
  id uuid primary key,
  owner text not null,
  kind text not null,
  label text,
  metadata jsonb not null,
  preview text not null,
  version integer not null check (version >= 1),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  deleted_at timestamptz
)`,
    // listEntries: owner (+ kind), id order.
    `create index if not exists "${prefix}vault_entries_owner_idx" on ${q(n.vaultEntries)} (owner, id)`,
    `create index if not exists "${prefix}vault_entries_owner_kind_idx" on ${q(n.vaultEntries)} (owner, kind, id)`,
    // scanExpired: only soft-deleted rows are indexed.
    `create index if not exists "${prefix}vault_entries_deleted_idx" on ${q(n.vaultEntries)} (deleted_at, id) where deleted_at is not null`,
    `create table if not exists ${q(n.vaultVersions)} (
  entry_id uuid not null references ${q(n.vaultEntries)} (id) on delete cascade,
  version integer not null check (version >= 1),
  kek_id text not null,
  sealed bytea not null,
  created_at timestamptz not null,
  primary key (entry_id, version)
)`,
    // scanForRewrap (rows off the primary KEK) and listKekIds.
    `create index if not exists "${prefix}vault_versions_kek_idx" on ${q(n.vaultVersions)} (kek_id, entry_id, version)`,
  );
  const down = [
    `drop table if exists ${q(n.vaultVersions)}`,
    `drop table if exists ${q(n.vaultEntries)}`,
  ];
  const apiKeysUp: string[] = [];
  // The schema may be new to this database when 001 was applied by another tool.
  if (schema !== undefined) apiKeysUp.push(`create schema if not exists "${schema}"`);
  apiKeysUp.push(
    // key_id sorts byte-wise (collation "C") whatever the database's collation, so listKeys'
    // keyset pages follow the same order as everywhere else and the primary key index serves it.
    `create table if not exists ${q(n.apiKeys)} (
  key_id text collate "C" primary key check (char_length(key_id) = 16),
  organization_id text not null,
  env text not null check (env in ('live', 'test')),
  name text not null,
  scopes jsonb not null,
  start text not null,
  secret_hash text not null,
  previous_secret_hash text,
  previous_secret_expires_at timestamptz,
  created_at timestamptz not null,
  expires_at timestamptz,
  rotated_at timestamptz,
  revoked_at timestamptz,
  killed boolean not null default false,
  last_used_at timestamptz,
  revision bigint not null check (revision >= 1)
)`,
    // listKeys: one organization in key_id order.
    `create index if not exists "${prefix}api_key_organization_idx" on ${q(n.apiKeys)} (organization_id, key_id)`,
    `create table if not exists ${q(n.apiKeySwitches)} (
  target text primary key,
  killed boolean not null default false,
  updated_at timestamptz not null
)`,
  );
  const apiKeysDown = [
    `drop table if exists ${q(n.apiKeySwitches)}`,
    `drop table if exists ${q(n.apiKeys)}`,
  ];
  // 003: each key's rate-limit tier. Existing keys become `standard`, the manager's default.
  const tierUp = [
    `alter table ${q(n.apiKeys)} add column if not exists tier text not null default 'standard' check (char_length(tier) between 1 and 64)`,
  ];
  const tierDown = [`alter table ${q(n.apiKeys)} drop column if exists tier`];
  // 004: vault entries' name (unique per owner among live entries: a partial unique index, which
  // also serves lookups by name), clear-text status, and the revision of their clear-text fields.
  // Existing entries get no name, no status, revision 1.
  const namesIndex = `${prefix}vault_entries_name_idx`;
  const namesUp = [
    `alter table ${q(n.vaultEntries)}
  add column if not exists name text check (char_length(name) between 1 and 128),
  add column if not exists status text check (char_length(status) between 1 and 32),
  add column if not exists revision bigint not null default 1 check (revision >= 1)`,
    `create unique index if not exists "${namesIndex}" on ${q(n.vaultEntries)} (owner, name) where name is not null and deleted_at is null`,
  ];
  const namesDown = [
    `drop index if exists ${schema === undefined ? `"${namesIndex}"` : `"${schema}"."${namesIndex}"`}`,
    `alter table ${q(n.vaultEntries)}
  drop column if exists revision,
  drop column if exists status,
  drop column if exists name`,
  ];
  // 005: each key's metadata (a JSON object; existing keys get `{}`) and the audit trail of key
  // administration, listed newest first per key, per organization and overall (each index read
  // backwards). Ids and key ids sort byte-wise (collation "C") so the cursor's `id <` agrees with
  // the order everywhere.
  const auditUp: string[] = [];
  if (schema !== undefined) auditUp.push(`create schema if not exists "${schema}"`);
  auditUp.push(
    `alter table ${q(n.apiKeys)} add column if not exists metadata jsonb not null default '{}'::jsonb`,
    `create table if not exists ${q(n.apiKeyAudit)} (
  id text collate "C" primary key check (char_length(id) = 26),
  at timestamptz not null,
  type text not null check (char_length(type) between 1 and 32),
  key_id text collate "C",
  organization_id text,
  actor text not null check (char_length(actor) between 1 and 256),
  reason text check (char_length(reason) between 1 and 1000),
  request_id text check (char_length(request_id) between 1 and 200)
)`,
    `create index if not exists "${prefix}api_key_audit_key_idx" on ${q(n.apiKeyAudit)} (key_id, at, id)`,
    `create index if not exists "${prefix}api_key_audit_organization_idx" on ${q(n.apiKeyAudit)} (organization_id, at, id)`,
    `create index if not exists "${prefix}api_key_audit_at_idx" on ${q(n.apiKeyAudit)} (at, id)`,
  );
  const auditDown = [
    `drop table if exists ${q(n.apiKeyAudit)}`,
    `alter table ${q(n.apiKeys)} drop column if exists metadata`,
  ];
  // 006: the change feed. Row triggers NOTIFY the store's channel inside the writing transaction:
  // PostgreSQL delivers the notification when (and only if) it commits. A key notifies when it is
  // inserted, deleted, or updated with a new revision (every manager change bumps it; the
  // verifier's last_used_at touch does not, so verification never notifies); a kill switch when it
  // is set for the first time, deleted, or flipped.
  const channel = postgresApiKeyChangeChannel(options);
  const fn = (name: string): string =>
    schema === undefined ? `"${prefix}${name}"` : `"${schema}"."${prefix}${name}"`;
  const keyNotify = fn('api_key_notify');
  const switchNotify = fn('kill_switch_notify');
  const triggers = [
    [n.apiKeys, `${prefix}api_key_notify`, 'after insert or delete', keyNotify],
    [
      n.apiKeys,
      `${prefix}api_key_notify_revision`,
      'after update',
      keyNotify,
      'old.revision is distinct from new.revision',
    ],
    [n.apiKeySwitches, `${prefix}kill_switch_notify`, 'after insert or delete', switchNotify],
    [
      n.apiKeySwitches,
      `${prefix}kill_switch_notify_flip`,
      'after update',
      switchNotify,
      'old.killed is distinct from new.killed',
    ],
  ] as const;
  const notifyUp = [
    `create or replace function ${keyNotify}() returns trigger language plpgsql as $$
declare
  r record;
begin
  if tg_op = 'DELETE' then r := old; else r := new; end if;
  perform pg_notify('${channel}', json_build_object('v', 1, 'type', 'key-' || lower(tg_op),
    'keyId', r.key_id, 'organizationId', r.organization_id, 'revision', r.revision)::text);
  return null;
end
$$`,
    `create or replace function ${switchNotify}() returns trigger language plpgsql as $$
declare
  t text;
begin
  if tg_op = 'DELETE' then t := old.target; else t := new.target; end if;
  if t like 'organization:%' then
    perform pg_notify('${channel}', json_build_object('v', 1, 'type', 'organization-switch',
      'organizationId', substr(t, 14))::text);
  else
    perform pg_notify('${channel}', json_build_object('v', 1, 'type', 'global-switch')::text);
  end if;
  return null;
end
$$`,
    ...triggers.flatMap(([table, name, when, f, condition]) => [
      `drop trigger if exists "${name}" on ${q(table)}`,
      `create trigger "${name}" ${when} on ${q(table)} for each row${condition === undefined ? '' : ` when (${condition})`} execute function ${f}()`,
    ]),
  ];
  const notifyDown = [
    ...triggers.map(([table, name]) => `drop trigger if exists "${name}" on ${q(table)}`),
    `drop function if exists ${keyNotify}()`,
    `drop function if exists ${switchNotify}()`,
  ];
  return [
    { name: MIGRATION_001, up, down },
    { name: MIGRATION_002, up: apiKeysUp, down: apiKeysDown },
    { name: MIGRATION_003, up: tierUp, down: tierDown },
    { name: MIGRATION_004, up: namesUp, down: namesDown },
    { name: MIGRATION_005, up: auditUp, down: auditDown },
    { name: MIGRATION_006, up: notifyUp, down: notifyDown },
  ];
}

/**
 * A provider for Kysely's `Migrator` (kysely 0.28 and 0.29) with coffer's PostgreSQL schema, for
 * hosts that run the `Migrator` themselves. Use coffer's own migration tables (`<prefix>migration`,
 * `<prefix>migration_lock`) so the histories do not mix — or simply call the store's `migrate()`.
 *
 * @param options Prefix and schema.
 * @returns The provider.
 * @throws {InvalidInputError} `INVALID_INPUT` when the prefix or schema is not a plain identifier.
 *
 * @example
 * ```ts
 * import { postgresMigrationProvider } from '@coffer/store-postgres';
 * import { Kysely, PostgresDialect } from 'kysely';
 * import { Migrator } from 'kysely/migration'; // kysely 0.29; on 0.28: from 'kysely'
 * import pg from 'pg';
 *
 * const db = new Kysely<unknown>({
 *   dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) }),
 * });
 * const migrator = new Migrator({
 *   db,
 *   provider: postgresMigrationProvider(),
 *   migrationTableName: 'coffer_migration',
 *   migrationLockTableName: 'coffer_migration_lock',
 * });
 * const { error } = await migrator.migrateToLatest();
 * if (error !== undefined) throw error;
 * await db.destroy();
 * ```
 */
export function postgresMigrationProvider(
  options: PostgresSchemaOptions = {},
): KyselyMigrationProvider {
  return createMigrationProvider(postgresMigrations(options));
}
