export type { DialectAdapter } from './dialect-adapter.js';
export { MigrationError, StoreBusyError } from './errors.js';
export { createKyselyApiKeyStore, createKyselyVaultStore } from './kysely-stores.js';
export type { KyselyMigration, KyselyMigrationProvider } from './migration-provider.js';
export {
  createMigrationProvider,
  type MigrationReport,
  type MigrationTables,
  migrateToLatest,
  type SqlMigration,
} from './migrations.js';
export {
  DEFAULT_BUSY_RETRY_MS,
  type KyselyStoreOptions,
  resolveBusyRetryMs,
} from './store-options.js';
export { type CofferTableNames, migrationTablesFor, tableNames } from './table-names.js';
export { DEFAULT_TABLE_PREFIX, resolveSchemaName, resolveTablePrefix } from './table-prefix.js';
