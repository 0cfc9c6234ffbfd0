export {
  type KyselyMigrationProvider,
  MigrationError,
  type MigrationReport,
  type SqlMigration,
  StoreBusyError,
} from '@coffer/store-kysely';
export {
  createPostgresApiKeyChangeSource,
  type PostgresApiKeyChangeSourceOptions,
} from './postgres-api-key-change-source.js';
export { postgresApiKeyChangeChannel } from './postgres-change-channel.js';
export {
  type PostgresSchemaOptions,
  postgresMigrationProvider,
  postgresMigrations,
} from './postgres-migrations.js';
export {
  createPostgresStore,
  type PostgresStore,
  type PostgresStoreBaseOptions,
  type PostgresStoreOptions,
  type PostgresStoreWithKysely,
  type PostgresStoreWithUrl,
} from './postgres-store.js';
