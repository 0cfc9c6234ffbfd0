import { type Kysely, sql } from 'kysely';
import type { KyselyMigration, KyselyMigrationProvider } from './migration-provider.js';
import { runPendingMigrations } from './migration-runner.js';

/**
 * One schema migration as plain SQL statements (one statement per array element, no trailing
 * `;`), in the order they run. The same statements are what the store packages ship as `.sql`
 * files, so Kysely's `Migrator` and any other migration tool apply identical DDL.
 *
 * @example
 * ```ts
 * import type { SqlMigration } from '@coffer/store-kysely';
 *
 * const m: SqlMigration = {
 *   name: '001_init',
 *   up: ['create table if not exists t (id integer primary key)'],
 *   down: ['drop table if exists t'],
 * };
 * ```
 */
export interface SqlMigration {
  /** Sortable name, e.g. `'001_init'`; recorded in the migration table. */
  readonly name: string;
  /** Statements that apply the migration. Idempotent (`if not exists`) so a re-run is harmless. */
  readonly up: readonly string[];
  /** Statements that undo it (drop what `up` created). */
  readonly down: readonly string[];
  /**
   * A query that returns a row when `up` is already in effect; the Migrator then skips `up`. Only
   * for DDL a dialect cannot write idempotently (SQLite has no `add column if not exists`), so that
   * `migrate()` after the plain SQL files were applied still just records the migration.
   */
  readonly upDoneIf?: string;
  /** Likewise for `down`: a query that returns a row when `down` is already in effect. */
  readonly downDoneIf?: string;
}

/**
 * Turns a list of {@link SqlMigration}s into a provider for Kysely's `Migrator` (kysely 0.28 and
 * 0.29). Nothing is read from the file system at run time, so it works the same from `src`, `dist`
 * and a bundle.
 *
 * @param migrations The migrations, in order.
 * @returns A provider for `new Migrator({ db, provider })`.
 *
 * @example
 * ```ts
 * import { createMigrationProvider } from '@coffer/store-kysely';
 *
 * const provider = createMigrationProvider([
 *   { name: '001_init', up: ['create table if not exists t (id integer)'], down: ['drop table t'] },
 * ]);
 * const migrations = await provider.getMigrations();
 * Object.keys(migrations); // ['001_init']
 * ```
 */
export function createMigrationProvider(
  migrations: readonly SqlMigration[],
): KyselyMigrationProvider {
  const record: Record<string, KyselyMigration> = {};
  for (const m of migrations) {
    record[m.name] = {
      up: (db: Kysely<unknown>) => runStatements(db, m.up, m.upDoneIf),
      down: (db: Kysely<unknown>) => runStatements(db, m.down, m.downDoneIf),
    };
  }
  return { getMigrations: async () => ({ ...record }) };
}

async function runStatements(
  db: Kysely<unknown>,
  statements: readonly string[],
  doneIf: string | undefined,
): Promise<void> {
  if (doneIf !== undefined && (await sql.raw(doneIf).execute(db)).rows.length > 0) return;
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/**
 * Where Kysely's `Migrator` keeps its bookkeeping for coffer's migrations.
 *
 * @example
 * ```ts
 * import type { MigrationTables } from '@coffer/store-kysely';
 *
 * const tables: MigrationTables = {
 *   migrationTableName: 'coffer_migration',
 *   migrationLockTableName: 'coffer_migration_lock',
 *   migrationTableSchema: 'secrets',
 * };
 * ```
 */
export interface MigrationTables {
  /** Table of applied migrations, e.g. `coffer_migration`. */
  readonly migrationTableName: string;
  /** Lock table, e.g. `coffer_migration_lock`. */
  readonly migrationLockTableName: string;
  /** PostgreSQL schema of both tables (created if missing); omit on SQLite. */
  readonly migrationTableSchema?: string;
}

/**
 * What a {@link migrateToLatest} run did.
 *
 * @example
 * ```ts
 * import type { MigrationReport } from '@coffer/store-kysely';
 *
 * const report: MigrationReport = { applied: ['coffer_001_init'] };
 * const upToDate = report.applied.length === 0; // false
 * ```
 */
export interface MigrationReport {
  /** Names of the migrations this run applied, in order; empty when the schema was current. */
  readonly applied: readonly string[];
}

/**
 * Applies every pending migration, in name order, using coffer's own migration tables so coffer's
 * history never mixes with the application's migrations. The bookkeeping is that of Kysely's
 * `Migrator` (same tables, columns and lock), so a history either of them wrote continues with the
 * other; the runner itself uses only what kysely 0.28 and 0.29 both export from `kysely`. Runs
 * hold the dialect's migration lock (an advisory lock on PostgreSQL), so concurrent runs apply each
 * migration once; where DDL is transactional (PostgreSQL) one run is one transaction. A second run
 * is a no-op.
 *
 * @param db Any Kysely instance on the target database.
 * @param provider The migrations (see {@link createMigrationProvider}).
 * @param tables The migration bookkeeping tables.
 * @returns Which migrations this run applied.
 * @throws {MigrationError} `MIGRATION_FAILED` when a migration or the bookkeeping fails (`cause` is
 *   the database error), or when the history records a migration the provider does not have (a
 *   database migrated by a newer release) or skips one.
 *
 * @example
 * ```ts
 * import { createMigrationProvider, migrateToLatest } from '@coffer/store-kysely';
 * import { Kysely, PostgresDialect } from 'kysely';
 * import pg from 'pg';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
 * const provider = createMigrationProvider([
 *   { name: '001_init', up: ['create table if not exists demo (id integer)'], down: ['drop table demo'] },
 * ]);
 * const tables = { migrationTableName: 'demo_migration', migrationLockTableName: 'demo_migration_lock' };
 * (await migrateToLatest(db, provider, tables)).applied; // ['001_init']
 * (await migrateToLatest(db, provider, tables)).applied; // []
 * await db.destroy();
 * ```
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  provider: KyselyMigrationProvider,
  tables: MigrationTables,
): Promise<MigrationReport> {
  return { applied: await runPendingMigrations(db, provider, tables) };
}
