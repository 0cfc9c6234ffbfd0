import { InvalidInputError } from '@coffer/core';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { prepareSqliteAtomicBlock } from './sqlite-atomic-block.js';

/**
 * The part of a better-sqlite3 `Database` that {@link cacheSqliteStatements} wraps (a structural
 * subset, so this package's types do not depend on `@types/better-sqlite3`).
 *
 * @example
 * ```ts
 * import type { SqliteStatementSource } from '@coffer/store-sqlite';
 * import Database from 'better-sqlite3';
 *
 * const source: SqliteStatementSource = new Database(':memory:');
 * source.prepare('select 1 as one').all([]); // [{ one: 1 }]
 * ```
 */
export interface SqliteStatementSource {
  /** better-sqlite3's `database.prepare(sql)`. */
  prepare(sql: string): SqliteStatement & { readonly busy?: boolean };
  /** better-sqlite3's `database.close()`. */
  close(): void;
}

/** Statements kept by default: coffer's stores use about 30 distinct ones. */
const DEFAULT_SIZE = 100;

/**
 * Wraps a better-sqlite3 database for Kysely's `SqliteDialect` so that each distinct SQL text is
 * prepared once and its statement reused, instead of prepared again for every query (Kysely's
 * SQLite driver prepares every statement it runs; preparing costs about as much as running a
 * primary-key lookup). At most `size` statements are kept, the least recently used dropped first.
 * It also runs a vault put's two inserts as one synchronous transaction (one query through Kysely
 * instead of four); on a handle without it, a put is a transaction of four queries.
 * The quick path of `createSqliteStore({ filename })` uses it; wrap your own handle when you pass
 * your own Kysely instance.
 *
 * @param database A better-sqlite3 `Database` (configured, e.g. with `configureSqliteDatabase`).
 * @param options `size`: how many statements to keep (1–10000, default 100).
 * @returns What `new SqliteDialect({ database })` takes; closing it closes `database`.
 * @throws {InvalidInputError} `INVALID_INPUT` when `size` is not an integer from 1 to 10000.
 *
 * @example
 * ```ts
 * import { cacheSqliteStatements, configureSqliteDatabase, createSqliteStore } from '@coffer/store-sqlite';
 * import Database from 'better-sqlite3';
 * import { Kysely, SqliteDialect } from 'kysely';
 *
 * const database = new Database(':memory:');
 * configureSqliteDatabase(database);
 * const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: cacheSqliteStatements(database) }) });
 * const storage = createSqliteStore({ db });
 * await storage.migrate();
 * await db.destroy(); // closes the database
 * ```
 */
export function cacheSqliteStatements(
  database: SqliteStatementSource,
  options: { size?: number } = {},
): SqliteDatabase {
  const size = options.size ?? DEFAULT_SIZE;
  if (!Number.isSafeInteger(size) || size < 1 || size > 10_000) {
    throw new InvalidInputError('size must be an integer from 1 to 10000 (statements).', {
      details: { parameter: 'size' },
    });
  }
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const statements = new Map<string, SqliteStatement & { readonly busy?: boolean }>();
  return {
    prepare(sql) {
      const cached = statements.get(sql);
      // A statement still iterating (a stream of it is open) cannot run again: prepare another.
      if (cached !== undefined && cached.busy !== true) {
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = prepareSqliteAtomicBlock(database, sql) ?? database.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > size) {
        const oldest = statements.keys().next();
        if (oldest.done !== true) statements.delete(oldest.value);
      }
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
