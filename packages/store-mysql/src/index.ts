export {
  type KyselyMigrationProvider,
  MigrationError,
  type MigrationReport,
  type SqlMigration,
  StoreBusyError,
} from '@coffer/store-kysely';
export { MysqlCharsetError } from './mysql-charset-error.js';
export {
  type MysqlFlavor,
  type MysqlSchemaOptions,
  mysqlMigrationProvider,
  mysqlMigrations,
} from './mysql-migrations.js';
export {
  createMysqlStore,
  type MysqlStore,
  type MysqlStoreBaseOptions,
  type MysqlStoreOptions,
  type MysqlStoreWithKysely,
  type MysqlStoreWithUrl,
} from './mysql-store.js';
