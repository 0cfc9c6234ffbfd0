import type { ApiKeyStore } from '@coffer/api-keys';
import { InvalidInputError } from '@coffer/core';
import {
  createKyselyApiKeyStore,
  createKyselyVaultStore,
  type MigrationReport,
  migrateToLatest,
  migrationTablesFor,
  resolveBusyRetryMs,
  resolveSchemaName,
  resolveTablePrefix,
} from '@coffer/store-kysely';
import type { VaultStore } from '@coffer/vault';
import type { Kysely } from 'kysely';
import { postgresAdapter } from './postgres-adapter.js';
import { postgresMigrationProvider } from './postgres-migrations.js';
import { openPostgresKysely } from './postgres-open.js';

/**
 * Options shared by both ways to create a {@link PostgresStore}.
 *
 * @example
 * ```ts
 * import type { PostgresStoreBaseOptions } from '@coffer/store-postgres';
 *
 * const common: PostgresStoreBaseOptions = { schema: 'secrets', tablePrefix: 'coffer_' };
 * ```
 */
export interface PostgresStoreBaseOptions {
  /** Prefix of every table and index name. Default `'coffer_'`. */
  tablePrefix?: string;
  /**
   * Schema of the tables (created by `migrate()` if missing). Default: none, the connection's
   * `search_path` decides (normally `public`).
   */
  schema?: string;
  /**
   * How long one store operation keeps retrying a deadlock (`40P01`) or serialization failure
   * (`40001`) before failing with `STORE_BUSY`. Default 5000 ms.
   */
  busyRetryMs?: number;
}

/**
 * Create the store on your own Kysely instance (a `PostgresDialect` over a `pg` Pool).
 *
 * @example
 * ```ts
 * import type { PostgresStoreWithKysely } from '@coffer/store-postgres';
 * import { Kysely, PostgresDialect } from 'kysely';
 * import pg from 'pg';
 *
 * const options: PostgresStoreWithKysely<unknown> = {
 *   db: new Kysely<unknown>({
 *     dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) }),
 *   }),
 *   schema: 'secrets',
 * };
 * ```
 */
export interface PostgresStoreWithKysely<DB> extends PostgresStoreBaseOptions {
  /** Your Kysely instance. `close()` leaves it open: you own it. */
  db: Kysely<DB>;
}

/**
 * Create the store from a connection string: coffer opens and owns a `pg` Pool.
 *
 * @example
 * ```ts
 * import type { PostgresStoreWithUrl } from '@coffer/store-postgres';
 *
 * const options: PostgresStoreWithUrl = { connectionString: 'postgres://app@db.internal/app', poolSize: 5 };
 * ```
 */
export interface PostgresStoreWithUrl extends PostgresStoreBaseOptions {
  /** A PostgreSQL URL, e.g. `postgres://app@db.internal:5432/app`. */
  connectionString: string;
  /** Connections in the pool (1–1000). Default 10. */
  poolSize?: number;
  /**
   * Run the store's hot queries (reveal, put, rewrap) as named prepared statements, parsed and
   * planned once per connection. Default `true`. Set `false` behind PgBouncer in transaction mode
   * older than 1.21 (or without `max_prepared_statements`), which cannot keep a connection's
   * prepared statements.
   */
  preparedStatements?: boolean;
}

/**
 * Options of {@link createPostgresStore}: `{ connectionString }` or `{ db }`, never both.
 *
 * @example
 * ```ts
 * import type { PostgresStoreOptions } from '@coffer/store-postgres';
 *
 * const options: PostgresStoreOptions<unknown> = { connectionString: 'postgres://app@db.internal/app' };
 * ```
 */
export type PostgresStoreOptions<DB> = PostgresStoreWithKysely<DB> | PostgresStoreWithUrl;

/**
 * coffer's PostgreSQL storage: the vault store, the API key store, migrations and the connection
 * pool.
 *
 * @example
 * ```ts
 * import { createPostgresStore, type PostgresStore } from '@coffer/store-postgres';
 *
 * const databaseUrl = process.env.DATABASE_URL;
 * if (databaseUrl === undefined) throw new Error('DATABASE_URL is not set');
 * const storage: PostgresStore = createPostgresStore({ connectionString: databaseUrl });
 * await storage.migrate();
 * await storage.close();
 * ```
 */
export interface PostgresStore<DB = unknown> {
  /** The `VaultStore` to pass to `createVault({ store })` and `createVaultReader({ store })`. */
  readonly vault: VaultStore;
  /**
   * The `ApiKeyStore` to pass to `createApiKeyManager({ store })` and
   * `createApiKeyVerifier({ store })` (tables `<prefix>api_key` and `<prefix>kill_switch`).
   */
  readonly apiKeys: ApiKeyStore;
  /** The Kysely instance in use: yours, or the one opened from `connectionString`. */
  readonly db: Kysely<DB>;
  /**
   * Applies pending migrations (schema, tables, indexes), recording them in `<prefix>migration`
   * (in `schema` when given) as Kysely's `Migrator` does. Idempotent and safe to run from several
   * processes at once (it takes Kysely's migration advisory lock).
   * @throws {MigrationError} `MIGRATION_FAILED` with the failing migration in `details`.
   */
  migrate(): Promise<MigrationReport>;
  /** Ends the pool if coffer opened it (`connectionString`); a no-op for your own `db`. */
  close(): Promise<void>;
}

/**
 * Creates coffer's PostgreSQL storage, either on your own Kysely instance or from a connection
 * string (the quick path opens a `pg` Pool of `poolSize` connections). Run `migrate()` once
 * before use (or apply `sql/001_init.sql` and `sql/002_api_keys.sql` with your own tool).
 *
 * Writes that depend on stored state are check-and-set (`update … where version = ?` plus the
 * row count) under PostgreSQL's row locks, so any number of pooled connections and processes may
 * write the same entry at once: exactly one of several rotations from one version wins. The same
 * holds for API keys: of several `apiKeys.updateKey` calls from one revision exactly one wins.
 *
 * @param options `{ connectionString }` or `{ db }`, plus `tablePrefix`, `schema`, `busyRetryMs`.
 * @returns The store.
 * @throws {InvalidInputError} `INVALID_INPUT` for malformed options (prefix, schema, pool size, neither or both of `db`/`connectionString`).
 *
 * @example
 * ```ts
 * import { createPostgresStore } from '@coffer/store-postgres';
 *
 * const databaseUrl = process.env.DATABASE_URL;
 * if (databaseUrl === undefined) throw new Error('DATABASE_URL is not set');
 * const storage = createPostgresStore({ connectionString: databaseUrl });
 * await storage.migrate(); // { applied: ['coffer_001_init', 'coffer_002_api_keys', 'coffer_003_api_key_tier', 'coffer_004_vault_names_status', 'coffer_005_api_key_audit', 'coffer_006_api_key_change_notify'] } the first time, then { applied: [] }
 * await storage.vault.getEntry('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3'); // undefined
 * await storage.apiKeys.getKey('0000000000000000'); // null
 * await storage.close();
 * ```
 */
export function createPostgresStore<DB = unknown>(
  options: PostgresStoreOptions<DB>,
): PostgresStore<DB> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidInputError(
      'createPostgresStore takes an options object with db or connectionString.',
    );
  }
  const hasDb = 'db' in options && options.db !== undefined;
  const hasUrl = 'connectionString' in options && options.connectionString !== undefined;
  if (hasDb === hasUrl) {
    throw new InvalidInputError(
      'Pass exactly one of db (your Kysely instance) or connectionString (a PostgreSQL URL).',
      { details: { parameter: 'db | connectionString' } },
    );
  }
  // Validate every option before a pool is opened.
  const prefix = resolveTablePrefix(options.tablePrefix);
  const schema = resolveSchemaName(options.schema);
  const common = {
    tablePrefix: prefix,
    busyRetryMs: resolveBusyRetryMs(options.busyRetryMs),
    ...(schema === undefined ? {} : { schema }),
  };
  let db: Kysely<DB>;
  let adapter = postgresAdapter;
  let owned = false;
  if ('connectionString' in options) {
    const prepared = options.preparedStatements;
    if (prepared !== undefined && typeof prepared !== 'boolean') {
      throw new InvalidInputError('preparedStatements must be true or false.', {
        details: { parameter: 'preparedStatements' },
      });
    }
    const opened = openPostgresKysely(
      options.connectionString,
      options.poolSize,
      prepared !== false,
    );
    db = opened.db as Kysely<DB>;
    if (opened.prepare !== undefined) adapter = { ...postgresAdapter, prepare: opened.prepare };
    owned = true;
  } else {
    db = options.db;
  }
  const vault = createKyselyVaultStore(db, adapter, common);
  const apiKeys = createKyselyApiKeyStore(db, adapter, common);
  let closed = false;
  return {
    vault,
    apiKeys,
    db,
    migrate: () =>
      migrateToLatest(
        db,
        postgresMigrationProvider({
          tablePrefix: prefix,
          ...(schema === undefined ? {} : { schema }),
        }),
        migrationTablesFor(prefix, schema),
      ),
    close: async () => {
      if (!owned || closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
