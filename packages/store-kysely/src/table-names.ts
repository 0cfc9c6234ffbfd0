import type { MigrationTables } from './migrations.js';

/**
 * The names of coffer's tables and migration bookkeeping tables for one prefix.
 *
 * @example
 * ```ts
 * import { type CofferTableNames, tableNames } from '@coffer/store-kysely';
 *
 * const names: CofferTableNames = tableNames('app_');
 * names.vaultVersions; // 'app_vault_versions'
 * ```
 */
export interface CofferTableNames {
  /** One row per vault entry: metadata, current version and its sealed value. */
  readonly vaultEntries: string;
  /** Retained earlier versions of vault entries (sealed values only). */
  readonly vaultVersions: string;
  /** One row per API key (`<prefix>api_key`): hashes, scopes, state. */
  readonly apiKeys: string;
  /** Kill switches for organizations and the global one (`<prefix>kill_switch`). */
  readonly apiKeySwitches: string;
  /** The audit trail of key administration (`<prefix>api_key_audit`, migration 005). */
  readonly apiKeyAudit: string;
  /** Kysely migration bookkeeping. */
  readonly migration: string;
  /** Kysely migration lock. */
  readonly migrationLock: string;
}

/**
 * The table names for a prefix (validate it first with `resolveTablePrefix`).
 *
 * @param prefix A validated prefix such as `'coffer_'`.
 * @returns The names, e.g. `coffer_vault_entries`.
 *
 * @example
 * ```ts
 * import { tableNames } from '@coffer/store-kysely';
 *
 * tableNames('coffer_').vaultEntries; // 'coffer_vault_entries'
 * ```
 */
export function tableNames(prefix: string): CofferTableNames {
  return {
    vaultEntries: `${prefix}vault_entries`,
    vaultVersions: `${prefix}vault_versions`,
    apiKeys: `${prefix}api_key`,
    apiKeySwitches: `${prefix}kill_switch`,
    apiKeyAudit: `${prefix}api_key_audit`,
    migration: `${prefix}migration`,
    migrationLock: `${prefix}migration_lock`,
  };
}

/**
 * The migration bookkeeping tables for a prefix and optional PostgreSQL schema, as
 * `migrateToLatest` takes them.
 *
 * @param prefix A validated prefix.
 * @param schema A validated schema name, or `undefined`.
 * @returns The {@link MigrationTables}.
 *
 * @example
 * ```ts
 * import { migrationTablesFor } from '@coffer/store-kysely';
 *
 * migrationTablesFor('coffer_', 'secrets');
 * // { migrationTableName: 'coffer_migration', migrationLockTableName: 'coffer_migration_lock', migrationTableSchema: 'secrets' }
 * ```
 */
export function migrationTablesFor(prefix: string, schema: string | undefined): MigrationTables {
  const names = tableNames(prefix);
  return {
    migrationTableName: names.migration,
    migrationLockTableName: names.migrationLock,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  };
}
