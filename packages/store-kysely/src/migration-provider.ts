import type { Kysely } from 'kysely';

/**
 * One migration in the shape Kysely's `Migrator` runs: its `Migration` type, which kysely 0.28
 * exports from `kysely` and 0.29 from `kysely/migration`. Declared here so coffer's types mean the
 * same on both.
 *
 * @example
 * ```ts
 * import type { KyselyMigration } from '@coffer/store-kysely';
 * import { sql } from 'kysely';
 *
 * const migration: KyselyMigration = {
 *   up: async (db) => {
 *     await sql`create table if not exists demo (id integer)`.execute(db);
 *   },
 * };
 * ```
 */
export interface KyselyMigration {
  /** Applies the migration. */
  up(db: Kysely<unknown>): Promise<void>;
  /** Undoes it. */
  down?(db: Kysely<unknown>): Promise<void>;
}

/**
 * A source of migrations: what coffer's `migrate()` runs, and what Kysely's `Migrator` accepts as
 * its `provider` on kysely 0.28 (`import { Migrator } from 'kysely'`) and 0.29
 * (`import { Migrator } from 'kysely/migration'`).
 *
 * @example
 * ```ts
 * import { createMigrationProvider, type KyselyMigrationProvider } from '@coffer/store-kysely';
 *
 * const provider: KyselyMigrationProvider = createMigrationProvider([]);
 * Object.keys(await provider.getMigrations()); // []
 * ```
 */
export interface KyselyMigrationProvider {
  /** The migrations by name; they run in the order of their names. */
  getMigrations(): Promise<Record<string, KyselyMigration>>;
}
