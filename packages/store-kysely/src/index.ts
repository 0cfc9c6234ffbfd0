export type { DialectAdapter } from './dialect-adapter.js';
export { MigrationError, StoreBusyError } from './errors.js';
export {
  createMigrationProvider,
  type MigrationReport,
  type MigrationTables,
  migrateToLatest,
  type SqlMigration,
} from './migrations.js';
export { DEFAULT_TABLE_PREFIX, resolveSchemaName, resolveTablePrefix } from './table-prefix.js';
