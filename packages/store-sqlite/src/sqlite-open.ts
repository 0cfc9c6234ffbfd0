// The quick path: open a better-sqlite3 database from a file name, configure it, wrap it in Kysely
// with a statement cache.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CofferError } from '@coffer/core';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { bindingProblemOf, SqliteBindingError } from './sqlite-binding-error.js';
import { configureSqliteDatabase, resolveBusyTimeoutMs } from './sqlite-pragmas.js';
import { cacheSqliteStatements } from './sqlite-statement-cache.js';

const GENERIC_REASON =
  'Check that its directory is writable and that the file is a SQLite database.';

/**
 * The SQLite database file could not be opened or configured (its directory cannot be created, no
 * permission, not a database, locked in a journal mode that cannot switch to WAL). Code
 * `STORE_OPEN_FAILED`, status 500. The message says why when the driver's error code tells (never
 * the driver's own text); `details.filename` names the file, `details.reason` holds the error code
 * (`SQLITE_NOTADB`, `EACCES`, …) when there is one; `cause` is the driver error.
 *
 * @example
 * ```ts
 * import { SqliteOpenError } from '@coffer/store-sqlite';
 *
 * const err = new SqliteOpenError('/srv/app.db');
 * err.code; // 'STORE_OPEN_FAILED'
 * ```
 */
export class SqliteOpenError extends CofferError {
  /**
   * @param filename The path that failed to open.
   * @param cause The driver error.
   */
  constructor(filename: string, cause?: unknown) {
    const code = errorCodeOf(cause);
    super(
      'STORE_OPEN_FAILED',
      `SQLite could not open or configure the database file "${filename}": ${reasonFor(code)}`,
      {
        status: 500,
        details: { filename, ...(code === undefined ? {} : { reason: code }) },
        ...(cause === undefined ? {} : { cause }),
      },
    );
  }
}

// Error codes are constants chosen by SQLite or the OS (`SQLITE_NOTADB`, `EACCES`): they say why
// without repeating a foreign message.
function errorCodeOf(cause: unknown): string | undefined {
  if (typeof cause !== 'object' || cause === null || !('code' in cause)) return undefined;
  const code = cause.code;
  return typeof code === 'string' && /^(SQLITE_[A-Z_]{1,40}|E[A-Z]{2,20})$/.test(code)
    ? code
    : undefined;
}

function reasonFor(code: string | undefined): string {
  if (code === undefined) return GENERIC_REASON;
  const base = code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1');
  switch (base) {
    case 'SQLITE_NOTADB':
      return `it is not a SQLite database (${code}). Point filename at a new path or at a SQLite database file.`;
    case 'SQLITE_CORRUPT':
      return `the database file is corrupt (${code}). Restore it from a backup.`;
    case 'SQLITE_CANTOPEN':
      return `SQLite cannot open it (${code}): the path is a directory, or the file or its directory is not readable and writable by this process.`;
    case 'SQLITE_READONLY':
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
      return `it is read-only for this process (${code}). coffer needs to write the file and create its -wal and -shm files next to it: make the file and its directory writable.`;
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return `another connection holds a lock on it (${code}), so it could not be switched to WAL. Retry when that connection is done.`;
    case 'SQLITE_FULL':
    case 'ENOSPC':
      return `the disk is full (${code}).`;
    case 'SQLITE_IOERR':
    case 'EIO':
      return `the file system reported an I/O error (${code}).`;
    case 'EACCES':
    case 'EPERM':
      return `its directory could not be created: permission denied (${code}). Create the directory yourself or fix its parent's permissions.`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `a part of its directory path is a file, not a directory (${code}).`;
    case 'EROFS':
      return `its directory is on a read-only file system (${code}).`;
    default:
      return `${code}. ${GENERIC_REASON}`;
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
    createParentDirectory(filename);
    database = new Database(filename, { timeout });
    configureSqliteDatabase(database, { busyTimeoutMs: timeout });
  } catch (error) {
    database?.close();
    if (error instanceof CofferError) throw error;
    const problem = bindingProblemOf(error);
    if (problem !== undefined) throw new SqliteBindingError(problem, error);
    throw new SqliteOpenError(filename, error);
  }
  return new Kysely<unknown>({
    dialect: new SqliteDialect({ database: cacheSqliteStatements(database) }),
  });
}

// The README promises the file is created if missing; SQLite creates the file but not its
// directory. Directories coffer creates are private to the user (0700, less the umask): the file
// holds ciphertext and metadata. Existing directories are left as they are. `:memory:` and
// `file:` URIs name no directory to create.
function createParentDirectory(filename: string): void {
  const name = filename.trim();
  if (name === '' || name === ':memory:' || name.startsWith('file:')) return;
  mkdirSync(dirname(name), { recursive: true, mode: 0o700 });
}
