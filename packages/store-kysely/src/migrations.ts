import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { MigrationError } from './errors.js';

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
 * Turns a list of {@link SqlMigration}s into a Kysely `MigrationProvider`. Nothing is read from the
 * file system at run time, so it works the same from `src`, `dist` and a bundle.
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
export function createMigrationProvider(migrations: readonly SqlMigration[]): MigrationProvider {
  const record: Record<string, Migration> = {};
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
 * Applies every pending migration with Kysely's `Migrator`, using coffer's own migration tables so
 * coffer's history never mixes with the application's migrations. Concurrent runs are safe on
 * PostgreSQL (Kysely takes an advisory lock); a second run is a no-op.
 *
 * @param db Any Kysely instance on the target database.
 * @param provider The migrations (see {@link createMigrationProvider}).
 * @param tables The migration bookkeeping tables.
 * @returns Which migrations this run applied.
 * @throws {MigrationError} `MIGRATION_FAILED` when a migration or the bookkeeping fails; `cause` is
 *   the database error.
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
  provider: MigrationProvider,
  tables: MigrationTables,
): Promise<MigrationReport> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: tables.migrationTableName,
    migrationLockTableName: tables.migrationLockTableName,
    ...(tables.migrationTableSchema === undefined
      ? {}
      : { migrationTableSchema: tables.migrationTableSchema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new MigrationError(failed?.migrationName, tables.migrationTableName, error);
  }
  return {
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}
