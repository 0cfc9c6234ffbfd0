// The quick path: open a better-sqlite3 database from a file name, configure it, wrap it in Kysely
// with a statement cache.
import { CofferError } from '@coffer/core';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { configureSqliteDatabase, resolveBusyTimeoutMs } from './sqlite-pragmas.js';
import { cacheSqliteStatements } from './sqlite-statement-cache.js';

/**
 * The SQLite database file could not be opened or configured (missing directory, no permission,
 * not a database, locked in a journal mode that cannot switch to WAL). Code `STORE_OPEN_FAILED`,
 * status 500. `details.filename` names the file; `cause` is the driver error.
 *
 * @example
 * ```ts
 * import { SqliteOpenError } from '@coffer/store-sqlite';
 *
 * const err = new SqliteOpenError('/no/such/dir/app.db');
 * err.code; // 'STORE_OPEN_FAILED'
 * ```
 */
export class SqliteOpenError extends CofferError {
  /**
   * @param filename The path that failed to open.
   * @param cause The driver error.
   */
  constructor(filename: string, cause?: unknown) {
    super(
      'STORE_OPEN_FAILED',
      `SQLite could not open or configure the database file "${filename}". Check that its directory exists and is writable and that the file is a SQLite database.`,
      { status: 500, details: { filename }, ...(cause === undefined ? {} : { cause }) },
    );
  }
}

/** @internal Opens and configures a database file; the caller owns the returned Kysely. */
export function openSqliteKysely(
  filename: string,
  busyTimeoutMs: number | undefined,
): Kysely<unknown> {
  const timeout = resolveBusyTimeoutMs(busyTimeoutMs);
  let database: Database.Database | undefined;
  try {
    database = new Database(filename, { timeout });
    configureSqliteDatabase(database, { busyTimeoutMs: timeout });
  } catch (error) {
    database?.close();
    if (error instanceof CofferError) throw error;
    throw new SqliteOpenError(filename, error);
  }
  return new Kysely<unknown>({
    dialect: new SqliteDialect({ database: cacheSqliteStatements(database) }),
  });
}
