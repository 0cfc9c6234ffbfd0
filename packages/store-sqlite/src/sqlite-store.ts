import type { ApiKeyStore } from '@coffer/api-keys';
import { InvalidInputError } from '@coffer/core';
import {
  createKyselyApiKeyStore,
  createKyselyVaultStore,
  type MigrationReport,
  migrateToLatest,
  migrationTablesFor,
  resolveBusyRetryMs,
  resolveTablePrefix,
} from '@coffer/store-kysely';
import type { VaultStore } from '@coffer/vault';
import type { Kysely } from 'kysely';
import { sqliteAdapter } from './sqlite-adapter.js';
import { sqliteMigrationProvider } from './sqlite-migrations.js';
import { openSqliteKysely } from './sqlite-open.js';

/**
 * Options shared by both ways to create a {@link SqliteStore}.
 *
 * @example
 * ```ts
 * import type { SqliteStoreBaseOptions } from '@coffer/store-sqlite';
 *
 * const common: SqliteStoreBaseOptions = { tablePrefix: 'app_', busyRetryMs: 2000 };
 * ```
 */
export interface SqliteStoreBaseOptions {
  /** Prefix of every table name. Default `'coffer_'`. */
  tablePrefix?: string;
  /**
   * How long one store operation keeps retrying `SQLITE_BUSY` (another connection holds the
   * write lock) before failing with `STORE_BUSY`. Retries wait on timers, never blocking the
   * event loop. Default 5000 ms.
   */
  busyRetryMs?: number;
}

/**
 * Create the store on your own Kysely instance (a `SqliteDialect` over better-sqlite3). Apply
 * `configureSqliteDatabase` to the database first.
 *
 * @example
 * ```ts
 * import { configureSqliteDatabase, type SqliteStoreWithKysely } from '@coffer/store-sqlite';
 * import Database from 'better-sqlite3';
 * import { Kysely, SqliteDialect } from 'kysely';
 *
 * const database = new Database(':memory:');
 * configureSqliteDatabase(database);
 * const options: SqliteStoreWithKysely<unknown> = {
 *   db: new Kysely<unknown>({ dialect: new SqliteDialect({ database }) }),
 * };
 * ```
 */
export interface SqliteStoreWithKysely<DB> extends SqliteStoreBaseOptions {
  /** Your Kysely instance. `close()` leaves it open: you own it. */
  db: Kysely<DB>;
}

/**
 * Create the store from a file name: coffer opens, configures and owns the connection.
 *
 * @example
 * ```ts
 * import type { SqliteStoreWithFile } from '@coffer/store-sqlite';
 *
 * const options: SqliteStoreWithFile = { filename: './data/coffer.db' };
 * ```
 */
export interface SqliteStoreWithFile extends SqliteStoreBaseOptions {
  /** A database file path (created if missing), or `':memory:'`. */
  filename: string;
  /** SQLite's own `busy_timeout`; see `configureSqliteDatabase`. Default 0. */
  busyTimeoutMs?: number;
}

/**
 * Options of {@link createSqliteStore}: `{ filename }` or `{ db }`, never both.
 *
 * @example
 * ```ts
 * import type { SqliteStoreOptions } from '@coffer/store-sqlite';
 *
 * const options: SqliteStoreOptions<unknown> = { filename: ':memory:', tablePrefix: 'app_' };
 * ```
 */
export type SqliteStoreOptions<DB> = SqliteStoreWithKysely<DB> | SqliteStoreWithFile;

/**
 * coffer's SQLite storage: the vault store, the API key store, migrations and the connection.
 *
 * @example
 * ```ts
 * import { createSqliteStore, type SqliteStore } from '@coffer/store-sqlite';
 *
 * const storage: SqliteStore = createSqliteStore({ filename: ':memory:' });
 * await storage.migrate();
 * await storage.close();
 * ```
 */
export interface SqliteStore<DB = unknown> {
  /** The `VaultStore` to pass to `createVault({ store })`. */
  readonly vault: VaultStore;
  /**
   * The `ApiKeyStore` to pass to `createApiKeyManager({ store })` and
   * `createApiKeyVerifier({ store })` (tables `<prefix>api_key` and `<prefix>kill_switch`).
   */
  readonly apiKeys: ApiKeyStore;
  /** The Kysely instance in use: yours, or the one opened from `filename`. */
  readonly db: Kysely<DB>;
  /**
   * Applies pending migrations (coffer's tables and indexes), with the bookkeeping of Kysely's
   * `Migrator` in the tables `<prefix>migration` and `<prefix>migration_lock`. Idempotent.
   * @throws {MigrationError} `MIGRATION_FAILED` with the failing migration in `details`.
   */
  migrate(): Promise<MigrationReport>;
  /** Closes the connection if coffer opened it (`filename`); a no-op for your own `db`. */
  close(): Promise<void>;
}

/**
 * Creates coffer's SQLite storage, either on your own Kysely instance or from a file name (the
 * quick path opens it with better-sqlite3 and applies `configureSqliteDatabase`: WAL,
 * `synchronous = NORMAL`, foreign keys, `busy_timeout`). Run `migrate()` once before use (or
 * apply `sql/001_init.sql` and `sql/002_api_keys.sql` with your own tool).
 *
 * Several connections (processes, or separate handles) may share one database file: writes that
 * depend on stored state are check-and-set inside `BEGIN IMMEDIATE` transactions and are retried
 * on `SQLITE_BUSY` up to `busyRetryMs`. API key updates (`apiKeys.updateKey`) are one conditional
 * `update … where revision = ?` each: of several from one revision exactly one wins.
 *
 * @param options `{ filename }` or `{ db }`, plus `tablePrefix` and `busyRetryMs`.
 * @returns The store.
 * @throws {InvalidInputError} `INVALID_INPUT` for malformed options (prefix, timeouts, neither or both of `db`/`filename`).
 * @throws {SqliteOpenError} `STORE_OPEN_FAILED` when the file cannot be opened or configured
 *   (missing parent directories are created, mode 0700).
 * @throws {SqliteBindingError} `STORE_DRIVER_UNAVAILABLE` when better-sqlite3's native addon is not
 *   built (pnpm 10 skips its install script unless allowed) or does not fit this Node.js.
 *
 * @example
 * ```ts
 * import { createSqliteStore } from '@coffer/store-sqlite';
 *
 * const storage = createSqliteStore({ filename: ':memory:' });
 * await storage.migrate(); // { applied: ['coffer_001_init', 'coffer_002_api_keys', 'coffer_003_api_key_tier', 'coffer_004_vault_names_status', 'coffer_005_api_key_audit', 'coffer_006_api_key_change_notify'] }
 * await storage.vault.getEntry('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3'); // undefined
 * await storage.apiKeys.getKey('0000000000000000'); // null
 * await storage.close();
 * ```
 */
export function createSqliteStore<DB = unknown>(options: SqliteStoreOptions<DB>): SqliteStore<DB> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidInputError('createSqliteStore takes an options object with db or filename.');
  }
  const hasDb = 'db' in options && options.db !== undefined;
  const hasFile = 'filename' in options && options.filename !== undefined;
  if (hasDb === hasFile) {
    throw new InvalidInputError(
      'Pass exactly one of db (your Kysely instance) or filename (a path or ":memory:").',
      { details: { parameter: hasDb ? 'db, filename' : 'db | filename' } },
    );
  }
  // Validate every option before a file is opened.
  const prefix = resolveTablePrefix(options.tablePrefix);
  const common = { tablePrefix: prefix, busyRetryMs: resolveBusyRetryMs(options.busyRetryMs) };
  let db: Kysely<DB>;
  let owned = false;
  if ('filename' in options) {
    if (typeof options.filename !== 'string' || options.filename === '') {
      throw new InvalidInputError('filename must be a non-empty path or ":memory:".', {
        details: { parameter: 'filename' },
      });
    }
    db = openSqliteKysely(options.filename, options.busyTimeoutMs) as Kysely<DB>;
    owned = true;
  } else {
    db = options.db;
  }
  const vault = createKyselyVaultStore(db, sqliteAdapter, common);
  const apiKeys = createKyselyApiKeyStore(db, sqliteAdapter, common);
  let closed = false;
  return {
    vault,
    apiKeys,
    db,
    migrate: () =>
      migrateToLatest(
        db,
        sqliteMigrationProvider({ tablePrefix: prefix }),
        migrationTablesFor(prefix, undefined),
      ),
    close: async () => {
      if (!owned || closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
