import { InvalidInputError } from '@coffer/core';
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
 * MySQL / MariaDB has no such feed (use Redis pub/sub, `@coffer/redis`). It exists so every dialect shares
 * one migration history.
 */
const MIGRATION_006 = 'coffer_006_api_key_change_notify';

/**
 * Which server the DDL is rendered for. They differ only in the collation that compares text
 * exactly — byte for byte and with trailing spaces significant (`NO PAD`): MariaDB's
 * `utf8mb4_nopad_bin`, MySQL's `utf8mb4_0900_bin` (8.0.17 and later). Both servers' `utf8mb4_bin`
 * ignores trailing spaces, so `'org_1'` and `'org_1 '` would be the same owner.
 *
 * @example
 * ```ts
 * import type { MysqlFlavor } from '@coffer/store-mysql';
 *
 * const flavor: MysqlFlavor = 'mariadb';
 * ```
 */
export type MysqlFlavor = 'mariadb' | 'mysql';

/**
 * Where coffer's MySQL / MariaDB tables live and which server they are for.
 *
 * @example
 * ```ts
 * import type { MysqlSchemaOptions } from '@coffer/store-mysql';
 *
 * const options: MysqlSchemaOptions = { tablePrefix: 'app_', flavor: 'mysql' };
 * ```
 */
export interface MysqlSchemaOptions {
  /** Prefix of every table and index name. Default `'coffer_'`; `''` for none. */
  tablePrefix?: string;
  /** The server: `'mariadb'` (the default) or `'mysql'` (8.0.17 or later). */
  flavor?: MysqlFlavor;
}

/** The exact (binary, no-pad) utf8mb4 collation of each server. */
function collationOf(flavor: unknown): string {
  if (flavor === undefined || flavor === 'mariadb') return 'utf8mb4_nopad_bin';
  if (flavor === 'mysql') return 'utf8mb4_0900_bin';
  throw new InvalidInputError('flavor must be "mariadb" or "mysql".', {
    details: { parameter: 'flavor' },
  });
}

/**
 * coffer's MySQL / MariaDB migrations as plain SQL statements, rendered for a table prefix and a
 * server: `coffer_001_init` (the vault tables), `coffer_002_api_keys` (API keys and kill switches),
 * `coffer_003_api_key_tier` (each key's rate-limit tier), `coffer_004_vault_names_status` (vault
 * entries' name, status and revision; names unique per owner among live entries through the
 * generated column `live_name` and a unique index over `(owner, live_name)`, since neither server
 * has partial indexes) and `coffer_005_api_key_audit` (each key's metadata and the audit trail of
 * key administration). InnoDB tables in `utf8mb4` with an
 * exact (binary, no-pad) collation, times as `bigint` epoch milliseconds (UTC by definition,
 * whatever the connection's time zone), sealed values as `longblob`, JSON as `longtext` checked by
 * `json_valid`, booleans as 0/1. Indexes are declared inside `create table if not exists` (MySQL
 * has no `create index if not exists`), so those statements can run twice; `003` and `004` add
 * columns, which MariaDB does idempotently (`add column if not exists`) and MySQL 8 cannot: their
 * `mysql` renderings are for one run (the Migrator checks `upDoneIf` first). The package ships the default
 * rendering as `sql/mariadb/*.sql` and `sql/mysql/*.sql`; call this to render your own for a
 * migration tool other than Kysely's.
 *
 * @param options The table prefix and the server flavor.
 * @returns The migrations in order, each with `up` and `down` statements.
 * @throws {InvalidInputError} `INVALID_INPUT` when the prefix is not a plain identifier or the flavor is unknown.
 *
 * @example
 * ```ts
 * import { mysqlMigrations } from '@coffer/store-mysql';
 *
 * const [init] = mysqlMigrations({ tablePrefix: 'acme_', flavor: 'mariadb' });
 * const script = init?.up.map((s) => `${s};`).join('\n'); // for mariadb app < script.sql
 * script?.includes('create table if not exists `acme_vault_entries`'); // true
 * ```
 */
export function mysqlMigrations(options: MysqlSchemaOptions = {}): readonly SqlMigration[] {
  const prefix = resolveTablePrefix(options.tablePrefix);
  const collation = collationOf(options.flavor);
  const flavor = options.flavor ?? 'mariadb';
  const n = tableNames(prefix);
  const q = (name: string): string => `\`${name}\``;
  const table = `engine=InnoDB default charset=utf8mb4 collate=${collation}`;
  const up = [
    `create table if not exists ${q(n.vaultEntries)} (
  id varchar(36) not null,
  owner varchar(256) not null,
  kind varchar(64) not null,
  label varchar(256),
  metadata longtext not null check (json_valid(metadata)),
  preview varchar(256) not null,
  version integer not null check (version >= 1),
  created_at bigint not null,
  updated_at bigint not null,
  deleted_at bigint,
  primary key (id),
  index ${q(`${prefix}vault_entries_owner_idx`)} (owner, id),
  index ${q(`${prefix}vault_entries_owner_kind_idx`)} (owner, kind, id),
  index ${q(`${prefix}vault_entries_deleted_idx`)} (deleted_at, id)
) ${table}`,
    `create table if not exists ${q(n.vaultVersions)} (
  entry_id varchar(36) not null,
  version integer not null check (version >= 1),
  kek_id varchar(255) not null,
  sealed longblob not null,
  created_at bigint not null,
  primary key (entry_id, version),
  index ${q(`${prefix}vault_versions_kek_idx`)} (kek_id, entry_id, version),
  constraint ${q(`${prefix}vault_versions_entry_fk`)} foreign key (entry_id) references ${q(n.vaultEntries)} (id) on delete cascade
) ${table}`,
  ];
  const down = [
    `drop table if exists ${q(n.vaultVersions)}`,
    `drop table if exists ${q(n.vaultEntries)}`,
  ];
  const apiKeysUp = [
    `create table if not exists ${q(n.apiKeys)} (
  key_id varchar(16) not null check (char_length(key_id) = 16),
  organization_id varchar(255) not null,
  env varchar(4) not null check (env in ('live', 'test')),
  name text not null,
  scopes longtext not null check (json_valid(scopes)),
  start varchar(255) not null,
  secret_hash varchar(255) not null,
  previous_secret_hash varchar(255),
  previous_secret_expires_at bigint,
  created_at bigint not null,
  expires_at bigint,
  rotated_at bigint,
  revoked_at bigint,
  killed boolean not null default false check (killed in (0, 1)),
  last_used_at bigint,
  revision bigint not null check (revision >= 1),
  primary key (key_id),
  index ${q(`${prefix}api_key_organization_idx`)} (organization_id, key_id)
) ${table}`,
    `create table if not exists ${q(n.apiKeySwitches)} (
  target varchar(300) not null,
  killed boolean not null default false check (killed in (0, 1)),
  updated_at bigint not null,
  primary key (target)
) ${table}`,
  ];
  const apiKeysDown = [
    `drop table if exists ${q(n.apiKeySwitches)}`,
    `drop table if exists ${q(n.apiKeys)}`,
  ];
  // 003: each key's rate-limit tier; existing keys become `standard`, the manager's default.
  // MariaDB has `add column if not exists` (and drops a check that names only the dropped column
  // with it); MySQL 8 has neither `if not exists` on columns nor that implicit drop, so its check is
  // named and dropped first, and its file is for one run. Both ask information_schema first when
  // the Migrator runs them, so migrate() after the plain file still only records 003.
  const hasTier = `select 1 from information_schema.columns where table_schema = database() and table_name = '${n.apiKeys}' and column_name = 'tier'`;
  const tierCheck = 'check (char_length(tier) between 1 and 64)';
  const tierType = "varchar(64) not null default 'standard'";
  const tierUp =
    flavor === 'mysql'
      ? [
          `alter table ${q(n.apiKeys)} add column tier ${tierType} constraint ${q(`${prefix}api_key_tier_check`)} ${tierCheck}`,
        ]
      : [`alter table ${q(n.apiKeys)} add column if not exists tier ${tierType} ${tierCheck}`];
  const tierDown =
    flavor === 'mysql'
      ? [
          `alter table ${q(n.apiKeys)} drop check ${q(`${prefix}api_key_tier_check`)}, drop column tier`,
        ]
      : [`alter table ${q(n.apiKeys)} drop column if exists tier`];
  // 004: vault entries' name, clear-text status and the revision of their clear-text fields;
  // existing entries get no name, no status, revision 1. Neither server has partial indexes, so
  // "a name once among an owner's live entries" is a stored generated column — the name while the
  // entry is live, else null — under a unique index over (owner, live_name), which also serves
  // lookups by name (unique indexes admit any number of nulls). One `alter table`, so it applies
  // whole or not at all; MySQL 8 names its checks to drop them before their columns.
  const names = `${prefix}vault_entries`;
  const hasNames = `select 1 from information_schema.columns where table_schema = database() and table_name = '${n.vaultEntries}' and column_name = 'live_name'`;
  const liveName = 'live_name varchar(128) as (case when deleted_at is null then name end) stored';
  const namesIndex = q(`${names}_name_idx`);
  const namesUp =
    flavor === 'mysql'
      ? [
          `alter table ${q(n.vaultEntries)}
  add column name varchar(128),
  add column status varchar(32),
  add column revision bigint not null default 1,
  add column ${liveName},
  add constraint ${q(`${names}_name_check`)} check (char_length(name) between 1 and 128),
  add constraint ${q(`${names}_status_check`)} check (char_length(status) between 1 and 32),
  add constraint ${q(`${names}_revision_check`)} check (revision >= 1),
  add unique index ${namesIndex} (owner, live_name)`,
        ]
      : [
          `alter table ${q(n.vaultEntries)}
  add column if not exists name varchar(128) check (char_length(name) between 1 and 128),
  add column if not exists status varchar(32) check (char_length(status) between 1 and 32),
  add column if not exists revision bigint not null default 1 check (revision >= 1),
  add column if not exists ${liveName},
  add unique index if not exists ${namesIndex} (owner, live_name)`,
        ];
  const namesDown =
    flavor === 'mysql'
      ? [
          `alter table ${q(n.vaultEntries)}
  drop index ${namesIndex},
  drop check ${q(`${names}_name_check`)},
  drop check ${q(`${names}_status_check`)},
  drop check ${q(`${names}_revision_check`)},
  drop column live_name,
  drop column revision,
  drop column status,
  drop column name`,
        ]
      : [
          `alter table ${q(n.vaultEntries)}
  drop index if exists ${namesIndex},
  drop column if exists live_name,
  drop column if exists revision,
  drop column if exists status,
  drop column if exists name`,
        ];
  // 005: each key's metadata (a JSON object as checked longtext, `{}` for existing keys: an
  // expression default, the only kind MySQL 8 allows on text) and the audit trail of key
  // administration, listed newest first per key, per organization and overall. The table comes
  // last: it existing means done. MySQL 8 names the metadata check to drop it before the column.
  const hasAudit = `select 1 from information_schema.tables where table_schema = database() and table_name = '${n.apiKeyAudit}'`;
  const hasMetadata = `select 1 from information_schema.columns where table_schema = database() and table_name = '${n.apiKeys}' and column_name = 'metadata'`;
  const metadataType = "longtext not null default ('{}')";
  const auditTable = `create table if not exists ${q(n.apiKeyAudit)} (
  id varchar(26) not null check (char_length(id) = 26),
  at bigint not null,
  type varchar(32) not null,
  key_id varchar(16),
  organization_id varchar(255),
  actor varchar(256) not null check (char_length(actor) >= 1),
  reason varchar(1000) check (char_length(reason) >= 1),
  request_id varchar(200) check (char_length(request_id) >= 1),
  primary key (id),
  index ${q(`${prefix}api_key_audit_key_idx`)} (key_id, at, id),
  index ${q(`${prefix}api_key_audit_organization_idx`)} (organization_id, at, id),
  index ${q(`${prefix}api_key_audit_at_idx`)} (at, id)
) ${table}`;
  const auditUp =
    flavor === 'mysql'
      ? [
          `alter table ${q(n.apiKeys)} add column metadata ${metadataType} constraint ${q(`${prefix}api_key_metadata_check`)} check (json_valid(metadata))`,
          auditTable,
        ]
      : [
          `alter table ${q(n.apiKeys)} add column if not exists metadata ${metadataType} check (json_valid(metadata))`,
          auditTable,
        ];
  const auditDown =
    flavor === 'mysql'
      ? [
          `drop table if exists ${q(n.apiKeyAudit)}`,
          `alter table ${q(n.apiKeys)} drop check ${q(`${prefix}api_key_metadata_check`)}, drop column metadata`,
        ]
      : [
          `drop table if exists ${q(n.apiKeyAudit)}`,
          `alter table ${q(n.apiKeys)} drop column if exists metadata`,
        ];
  return [
    { name: MIGRATION_001, up, down },
    { name: MIGRATION_002, up: apiKeysUp, down: apiKeysDown },
    {
      name: MIGRATION_003,
      up: tierUp,
      down: tierDown,
      upDoneIf: hasTier,
      downDoneIf: `select 1 from dual where not exists (${hasTier})`,
    },
    {
      name: MIGRATION_004,
      up: namesUp,
      down: namesDown,
      upDoneIf: hasNames,
      downDoneIf: `select 1 from dual where not exists (${hasNames})`,
    },
    {
      name: MIGRATION_005,
      up: auditUp,
      down: auditDown,
      upDoneIf: hasAudit,
      downDoneIf: `select 1 from dual where not exists (${hasMetadata})`,
    },
    { name: MIGRATION_006, up: [], down: [] },
  ];
}

/**
 * A provider for Kysely's `Migrator` (kysely 0.28 and 0.29) with coffer's MySQL / MariaDB schema,
 * for hosts that run the `Migrator` themselves. Use coffer's own migration tables
 * (`<prefix>migration`, `<prefix>migration_lock`) so the histories do not mix — or simply call the
 * store's `migrate()`, which also picks the flavor from the server's version.
 *
 * @param options The table prefix and the server flavor.
 * @returns The provider.
 * @throws {InvalidInputError} `INVALID_INPUT` when the prefix is not a plain identifier or the flavor is unknown.
 *
 * @example
 * ```ts
 * import { mysqlMigrationProvider } from '@coffer/store-mysql';
 * import { Kysely, MysqlDialect } from 'kysely';
 * import { Migrator } from 'kysely/migration'; // kysely 0.29; on 0.28: from 'kysely'
 * import { createPool } from 'mysql2';
 *
 * const databaseUrl = process.env.DATABASE_URL;
 * if (databaseUrl === undefined) throw new Error('DATABASE_URL is not set');
 * const db = new Kysely<unknown>({
 *   dialect: new MysqlDialect({ pool: createPool({ uri: databaseUrl }) }),
 * });
 * const migrator = new Migrator({
 *   db,
 *   provider: mysqlMigrationProvider({ flavor: 'mariadb' }),
 *   migrationTableName: 'coffer_migration',
 *   migrationLockTableName: 'coffer_migration_lock',
 * });
 * const { error } = await migrator.migrateToLatest();
 * if (error !== undefined) throw error;
 * await db.destroy();
 * ```
 */
export function mysqlMigrationProvider(options: MysqlSchemaOptions = {}): KyselyMigrationProvider {
  return createMigrationProvider(mysqlMigrations(options));
}
