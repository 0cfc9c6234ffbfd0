import { InvalidInputError } from '@coffer/core';

/**
 * The part of a better-sqlite3 `Database` that {@link configureSqliteDatabase} needs (a structural
 * subset, so this package's types do not depend on `@types/better-sqlite3`).
 *
 * @example
 * ```ts
 * import type { SqlitePragmaTarget } from '@coffer/store-sqlite';
 * import Database from 'better-sqlite3';
 *
 * const target: SqlitePragmaTarget = new Database(':memory:');
 * target.memory; // true
 * ```
 */
export interface SqlitePragmaTarget {
  /** better-sqlite3's `database.pragma(source, { simple })`. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** True for `:memory:` and temporary databases. */
  readonly memory: boolean;
}

/**
 * Settings for {@link configureSqliteDatabase}.
 *
 * @example
 * ```ts
 * import type { SqliteConnectionOptions } from '@coffer/store-sqlite';
 *
 * // Other code shares the handle and does not retry SQLITE_BUSY: let SQLite wait up to 1 s.
 * const options: SqliteConnectionOptions = { busyTimeoutMs: 1000 };
 * ```
 */
export interface SqliteConnectionOptions {
  /**
   * SQLite's own `busy_timeout` in milliseconds: how long one statement may wait, synchronously,
   * for another connection's write lock. Default `0`: coffer retries busy writes itself on timers
   * (see the store's `busyRetryMs`), because SQLite's busy handler sleeps inside the synchronous
   * better-sqlite3 call and blocks the whole event loop — including any other connection in the
   * same process that holds the lock. Raise it if other code shares this handle and does not retry
   * `SQLITE_BUSY` itself.
   */
  busyTimeoutMs?: number;
}

/**
 * Applies the settings coffer's SQLite stores are built for to a better-sqlite3 `Database`:
 * `journal_mode = WAL` (readers never block the writer; file databases only), `synchronous =
 * NORMAL` (durable across application crashes, one fsync per checkpoint instead of per commit —
 * the recommended pairing with WAL), `foreign_keys = ON`, `secure_delete = ON` (erased sealed
 * values are zeroed, not left in free pages; the stores also turn it on for connections you
 * configure yourself), and `busy_timeout`. Call it once on a
 * database you open yourself before you hand it to Kysely; the quick path (`filename`) does it
 * for you.
 *
 * @param database A better-sqlite3 `Database`.
 * @param options See {@link SqliteConnectionOptions}.
 * @returns The journal mode now in effect (`'wal'` for files, `'memory'` for `:memory:`).
 * @throws {InvalidInputError} `INVALID_INPUT` when `busyTimeoutMs` is not a non-negative integer.
 *
 * @example
 * ```ts
 * import { configureSqliteDatabase } from '@coffer/store-sqlite';
 * import Database from 'better-sqlite3';
 *
 * const database = new Database(':memory:');
 * configureSqliteDatabase(database); // 'memory' (a file database answers 'wal')
 * database.pragma('foreign_keys', { simple: true }); // 1
 * database.close();
 * ```
 */
export function configureSqliteDatabase(
  database: SqlitePragmaTarget,
  options: SqliteConnectionOptions = {},
): string {
  const busyTimeoutMs = resolveBusyTimeoutMs(options.busyTimeoutMs);
  database.pragma(`busy_timeout = ${busyTimeoutMs}`);
  const mode = database.memory
    ? String(database.pragma('journal_mode', { simple: true }))
    : String(database.pragma('journal_mode = WAL', { simple: true }));
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('secure_delete = ON');
  return mode;
}

/** @internal Validates `busyTimeoutMs` (default 0). */
export function resolveBusyTimeoutMs(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > 600_000) {
    throw new InvalidInputError(
      'busyTimeoutMs must be an integer from 0 to 600000 (milliseconds).',
      {
        details: { parameter: 'busyTimeoutMs' },
      },
    );
  }
  return value;
}
