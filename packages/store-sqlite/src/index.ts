export {
  type KyselyMigrationProvider,
  MigrationError,
  type MigrationReport,
  type SqlMigration,
  StoreBusyError,
} from '@coffer/store-kysely';
export { SqliteBindingError, type SqliteBindingProblem } from './sqlite-binding-error.js';
export {
  type SqliteSchemaOptions,
  sqliteMigrationProvider,
  sqliteMigrations,
} from './sqlite-migrations.js';
export { SqliteOpenError } from './sqlite-open.js';
export {
  configureSqliteDatabase,
  type SqliteConnectionOptions,
  type SqlitePragmaTarget,
} from './sqlite-pragmas.js';
export { cacheSqliteStatements, type SqliteStatementSource } from './sqlite-statement-cache.js';
export {
  createSqliteStore,
  type SqliteStore,
  type SqliteStoreBaseOptions,
  type SqliteStoreOptions,
  type SqliteStoreWithFile,
  type SqliteStoreWithKysely,
} from './sqlite-store.js';
