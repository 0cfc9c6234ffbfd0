import type { ApiKeyStore } from '@coffer/api-keys';
import type { VaultStore } from '@coffer/vault';
import type { Kysely } from 'kysely';
import type { DialectAdapter } from './dialect-adapter.js';
import { createKyselyApiKeyStoreFromContext } from './kysely-api-key-store.js';
import { createKyselyVaultStoreFromContext } from './kysely-vault-store.js';
import type { StoreContext } from './store-context.js';
import { type KyselyStoreOptions, resolveBusyRetryMs } from './store-options.js';
import { tableNames } from './table-names.js';
import { resolveSchemaName, resolveTablePrefix } from './table-prefix.js';
import { createWriteRunner } from './write-runner.js';

function contextFor<DB, T>(
  db: Kysely<DB>,
  adapter: DialectAdapter,
  options: KyselyStoreOptions,
): StoreContext<T> {
  const prefix = resolveTablePrefix(options.tablePrefix);
  const schema = resolveSchemaName(options.schema);
  const busyRetryMs = resolveBusyRetryMs(options.busyRetryMs);
  // Without the host's plugins: coffer's queries name its own tables and columns, and a plugin
  // such as CamelCasePlugin would rename the columns of every row it reads back.
  const typed = db.withoutPlugins() as unknown as Kysely<T>;
  return {
    db: schema === undefined ? typed : typed.withSchema(schema),
    adapter,
    names: tableNames(prefix),
    runner: createWriteRunner(adapter, busyRetryMs, db),
  };
}

/**
 * The vault store on any Kysely instance, given the dialect's adapter. Applications use
 * `createPostgresStore` / `createSqliteStore`, which call this with the right adapter; call it
 * directly only to port coffer to another dialect.
 *
 * @param db A Kysely instance (its table types do not matter; coffer's tables are addressed by name).
 * @param adapter The dialect's {@link DialectAdapter}.
 * @param options Table prefix, schema and busy-retry bound.
 * @returns A `VaultStore` for `createVault`.
 * @throws {InvalidInputError} `INVALID_INPUT` for a malformed prefix, schema or `busyRetryMs`.
 *
 * @example
 * ```ts
 * import { createKyselyVaultStore, type DialectAdapter } from '@coffer/store-kysely';
 * import { Kysely, PostgresDialect } from 'kysely';
 * import pg from 'pg';
 *
 * // PostgreSQL's conversions (what @coffer/store-postgres passes).
 * const adapter: DialectAdapter = {
 *   dialect: 'postgres',
 *   beginWrite: 'begin',
 *   uuidIds: true,
 *   writableCte: true,
 *   nulFreeText: true,
 *   timeToDb: (ms) => new Date(ms),
 *   timeFromDb: (v) => (v as Date).getTime(),
 *   bytesFromDb: (v) => new Uint8Array(v as Uint8Array),
 *   jsonToDb: (value) => JSON.stringify(value),
 *   jsonFromDb: (v) => v,
 *   isTransient: (e) => ['40001', '40P01'].includes(String((e as { code?: unknown }).code)),
 *   isUniqueViolation: (e) => (e as { code?: unknown }).code === '23505',
 * };
 * const db = new Kysely<unknown>({
 *   dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) }),
 * });
 * // Tables from postgresMigrations() (or sql/001_init.sql) must exist.
 * const store = createKyselyVaultStore(db, adapter, { tablePrefix: 'coffer_' });
 * await store.getEntry('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3'); // undefined
 * await db.destroy();
 * ```
 */
export function createKyselyVaultStore<DB>(
  db: Kysely<DB>,
  adapter: DialectAdapter,
  options: KyselyStoreOptions = {},
): VaultStore {
  return createKyselyVaultStoreFromContext(contextFor(db, adapter, options));
}

/**
 * The API key store on any Kysely instance, given the dialect's adapter. Applications use
 * `createPostgresStore(…).apiKeys` / `createSqliteStore(…).apiKeys`, which call this with the right
 * adapter; call it directly only to port coffer to another dialect.
 *
 * Every method is one statement. `updateKey` is a conditional
 * `update … set revision = revision + 1 where key_id = ? and revision = ?` decided by its row
 * count, so concurrent updates from one revision (any connections, any processes) have exactly one
 * winner; `insertKey` is `insert … on conflict (key_id) do nothing`, answering `false` for a
 * duplicate.
 *
 * @param db A Kysely instance (its table types do not matter; coffer's tables are addressed by name).
 * @param adapter The dialect's {@link DialectAdapter}.
 * @param options Table prefix, schema and busy-retry bound.
 * @returns An `ApiKeyStore` for `createApiKeyManager` and `createApiKeyVerifier`.
 * @throws {InvalidInputError} `INVALID_INPUT` for a malformed prefix, schema or `busyRetryMs`.
 *
 * @example
 * ```ts
 * import { createKyselyApiKeyStore, type DialectAdapter } from '@coffer/store-kysely';
 * import Database from 'better-sqlite3';
 * import { Kysely, SqliteDialect } from 'kysely';
 *
 * // SQLite's conversions (what @coffer/store-sqlite passes).
 * const adapter: DialectAdapter = {
 *   dialect: 'sqlite',
 *   beginWrite: 'begin immediate',
 *   uuidIds: false,
 *   writableCte: false,
 *   nulFreeText: false,
 *   timeToDb: (ms) => ms,
 *   timeFromDb: (v) => Number(v),
 *   bytesFromDb: (v) => new Uint8Array(v as Uint8Array),
 *   jsonToDb: (value) => JSON.stringify(value),
 *   jsonFromDb: (v) => JSON.parse(String(v)),
 *   isTransient: (e) => String((e as { code?: unknown }).code).startsWith('SQLITE_BUSY'),
 *   isUniqueViolation: (e) => (e as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY',
 * };
 * const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
 * // Tables from sqliteMigrations() (or sql/002_api_keys.sql) must exist.
 * const store = createKyselyApiKeyStore(db, adapter, { tablePrefix: 'coffer_' });
 * await store.getKey('0000000000000000'); // null
 * await db.destroy();
 * ```
 */
export function createKyselyApiKeyStore<DB>(
  db: Kysely<DB>,
  adapter: DialectAdapter,
  options: KyselyStoreOptions = {},
): ApiKeyStore {
  return createKyselyApiKeyStoreFromContext(contextFor(db, adapter, options));
}
