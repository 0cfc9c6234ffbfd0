import type { ApiKeyStore } from '@coffer/api-keys';
import { InvalidInputError } from '@coffer/core';
import {
  createKyselyApiKeyStore,
  createKyselyVaultStore,
  MigrationError,
  type MigrationReport,
  migrateToLatest,
  migrationTablesFor,
  resolveBusyRetryMs,
  resolveTablePrefix,
} from '@coffer/store-kysely';
import type { VaultStore } from '@coffer/vault';
import { type Kysely, sql } from 'kysely';
import { mysqlAdapter } from './mysql-adapter.js';
import { type MysqlFlavor, mysqlMigrationProvider } from './mysql-migrations.js';
import { openMysqlKysely } from './mysql-open.js';

/**
 * Options shared by both ways to create a {@link MysqlStore}.
 *
 * @example
 * ```ts
 * import type { MysqlStoreBaseOptions } from '@coffer/store-mysql';
 *
 * const common: MysqlStoreBaseOptions = { tablePrefix: 'coffer_', busyRetryMs: 2000 };
 * ```
 */
export interface MysqlStoreBaseOptions {
  /** Prefix of every table and index name. Default `'coffer_'`. */
  tablePrefix?: string;
  /**
   * How long one store operation keeps retrying a deadlock (1213) or lock wait timeout (1205)
   * before failing with `STORE_BUSY`. Default 5000 ms.
   */
  busyRetryMs?: number;
}

/**
 * Create the store on your own Kysely instance (a `MysqlDialect` over a `mysql2` pool).
 *
 * @example
 * ```ts
 * import type { MysqlStoreWithKysely } from '@coffer/store-mysql';
 * import { Kysely, MysqlDialect } from 'kysely';
 * import { createPool } from 'mysql2';
 *
 * const databaseUrl = process.env.DATABASE_URL;
 * if (databaseUrl === undefined) throw new Error('DATABASE_URL is not set');
 * const options: MysqlStoreWithKysely<unknown> = {
 *   db: new Kysely<unknown>({
 *     dialect: new MysqlDialect({ pool: createPool({ uri: databaseUrl }) }),
 *   }),
 * };
 * ```
 */
export interface MysqlStoreWithKysely<DB> extends MysqlStoreBaseOptions {
  /** Your Kysely instance. `close()` leaves it open: you own it. */
  db: Kysely<DB>;
}

/**
 * Create the store from a connection string: coffer opens and owns a `mysql2` pool.
 *
 * @example
 * ```ts
 * import type { MysqlStoreWithUrl } from '@coffer/store-mysql';
 *
 * const options: MysqlStoreWithUrl = { connectionString: 'mysql://app@db.internal:3306/app', poolSize: 5 };
 * ```
 */
export interface MysqlStoreWithUrl extends MysqlStoreBaseOptions {
  /** A `mysql://` (or `mariadb://`) URL naming the database, e.g. `mysql://app@db.internal:3306/app`. */
  connectionString: string;
  /** Connections in the pool (1–1000). Default 10. */
  poolSize?: number;
  /**
   * Run the store's hot queries (reveal, put, rewrap) as server-side prepared statements (mysql2's
   * `execute`), parsed once per connection. Default `true`. Set `false` behind a proxy that does
   * not keep a connection's prepared statements.
   */
  preparedStatements?: boolean;
}

/**
 * Options of {@link createMysqlStore}: `{ connectionString }` or `{ db }`, never both.
 *
 * @example
 * ```ts
 * import type { MysqlStoreOptions } from '@coffer/store-mysql';
 *
 * const options: MysqlStoreOptions<unknown> = { connectionString: 'mysql://app@db.internal/app' };
 * ```
 */
export type MysqlStoreOptions<DB> = MysqlStoreWithKysely<DB> | MysqlStoreWithUrl;

/**
 * coffer's MySQL / MariaDB storage: the vault store, the API key store, migrations and the
 * connection pool.
 *
 * @example
 * ```ts
 * import { createMysqlStore, type MysqlStore } from '@coffer/store-mysql';
 *
 * const databaseUrl = process.env.DATABASE_URL;
 * if (databaseUrl === undefined) throw new Error('DATABASE_URL is not set');
 * const storage: MysqlStore = createMysqlStore({ connectionString: databaseUrl });
 * await storage.migrate();
 * await storage.close();
 * ```
 */
export interface MysqlStore<DB = unknown> {
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
   * Applies pending migrations, recording them in `<prefix>migration` as Kysely's `Migrator` does;
   * the DDL is rendered for the server it finds (MariaDB, or MySQL 8.0.17 and later). Idempotent
   * and safe to run from several processes at once (it takes Kysely's MySQL migration lock, a named
   * `GET_LOCK`).
   * @throws {MigrationError} `MIGRATION_FAILED` with the failing migration in `details`.
   */
  migrate(): Promise<MigrationReport>;
  /** Ends the pool if coffer opened it (`connectionString`); a no-op for your own `db`. */
  close(): Promise<void>;
}

/** MariaDB reports itself in `version()`; anything else speaking the protocol is MySQL. */
async function flavorOf(db: Kysely<unknown>, migrationTable: string): Promise<MysqlFlavor> {
  try {
    const result = await sql<{ version: string }>`select version() as version`.execute(db);
    return /mariadb/i.test(String(result.rows[0]?.version)) ? 'mariadb' : 'mysql';
  } catch (error) {
    throw new MigrationError(undefined, migrationTable, error);
  }
}

/**
 * Creates coffer's MySQL / MariaDB storage, either on your own Kysely instance or from a
 * connection string (the quick path opens a `mysql2` pool of `poolSize` connections). Run
 * `migrate()` once before use (or apply the shipped `sql/mariadb/*.sql` or `sql/mysql/*.sql` with
 * your own tool).
 *
 * Writes that depend on stored state are check-and-set (`update … where version = ?` and its
 * affected-row count) under InnoDB's row locks, at the server's default isolation level: any
 * number of pooled connections and processes may write the same entry at once, and exactly one of
 * several rotations from one version wins. Writes spanning both vault tables run in one
 * transaction; deadlocks and lock wait timeouts are retried up to `busyRetryMs`.
 *
 * @param options `{ connectionString }` or `{ db }`, plus `tablePrefix`, `busyRetryMs`.
 * @returns The store.
 * @throws {InvalidInputError} `INVALID_INPUT` for malformed options (prefix, URL, pool size, neither or both of `db`/`connectionString`).
 *
 * @example
 * ```ts
 * import { createMysqlStore } from '@coffer/store-mysql';
 *
 * const databaseUrl = process.env.DATABASE_URL;
 * if (databaseUrl === undefined) throw new Error('DATABASE_URL is not set');
 * const storage = createMysqlStore({ connectionString: databaseUrl });
 * await storage.migrate(); // { applied: ['coffer_001_init', 'coffer_002_api_keys', 'coffer_003_api_key_tier', 'coffer_004_vault_names_status', 'coffer_005_api_key_audit', 'coffer_006_api_key_change_notify'] } the first time, then { applied: [] }
 * await storage.vault.getEntry('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3'); // undefined
 * await storage.apiKeys.getKey('0000000000000000'); // null
 * await storage.close();
 * ```
 */
export function createMysqlStore<DB = unknown>(options: MysqlStoreOptions<DB>): MysqlStore<DB> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidInputError(
      'createMysqlStore takes an options object with db or connectionString.',
    );
  }
  const hasDb = 'db' in options && options.db !== undefined;
  const hasUrl = 'connectionString' in options && options.connectionString !== undefined;
  if (hasDb === hasUrl) {
    throw new InvalidInputError(
      'Pass exactly one of db (your Kysely instance) or connectionString (a mysql:// URL).',
      { details: { parameter: 'db | connectionString' } },
    );
  }
  // Validate every option before a pool is opened.
  const prefix = resolveTablePrefix(options.tablePrefix);
  const common = { tablePrefix: prefix, busyRetryMs: resolveBusyRetryMs(options.busyRetryMs) };
  let db: Kysely<DB>;
  let adapter = mysqlAdapter;
  let owned = false;
  if ('connectionString' in options) {
    const prepared = options.preparedStatements;
    if (prepared !== undefined && typeof prepared !== 'boolean') {
      throw new InvalidInputError('preparedStatements must be true or false.', {
        details: { parameter: 'preparedStatements' },
      });
    }
    const opened = openMysqlKysely(options.connectionString, options.poolSize, prepared !== false);
    db = opened.db as Kysely<DB>;
    if (opened.prepare !== undefined) adapter = { ...mysqlAdapter, prepare: opened.prepare };
    owned = true;
  } else {
    db = options.db;
  }
  const vault = createKyselyVaultStore(db, adapter, common);
  const apiKeys = createKyselyApiKeyStore(db, adapter, common);
  const tables = migrationTablesFor(prefix, undefined);
  let closed = false;
  return {
    vault,
    apiKeys,
    db,
    migrate: async () => {
      const plain = db.withoutPlugins() as Kysely<unknown>;
      const flavor = await flavorOf(plain, tables.migrationTableName);
      return migrateToLatest(
        plain,
        mysqlMigrationProvider({ tablePrefix: prefix, flavor }),
        tables,
      );
    },
    close: async () => {
      if (!owned || closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
