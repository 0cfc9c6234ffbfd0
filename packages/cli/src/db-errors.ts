// Database driver errors, told by their codes. The drivers' messages are never printed: they may
// quote SQL values or a connection string. What the operator sees is the code and what to do.

import { CliError } from './cli-error.js';
import { EXIT_CODES } from './exit-codes.js';

const NETWORK: Readonly<Record<string, string>> = {
  ECONNREFUSED:
    'the connection was refused: is the server running, and are the host and port right?',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (DNS is not answering)',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the server closed the connection',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
};

const SQLSTATE: Readonly<Record<string, string>> = {
  '28P01': 'authentication failed: check the user, and the password in PGPASSWORD or ~/.pgpass',
  '28000': 'the server refused this role or authentication method',
  '3D000': 'the database does not exist',
  '3F000': "the schema does not exist: run 'coffer migrate' with the same --schema",
  '42P01':
    "coffer's tables are missing: run 'coffer migrate' first (with the same --table-prefix and --schema)",
  // A column a later migration adds (a database this version of coffer has not migrated yet).
  '42703':
    "coffer's tables are out of date: run 'coffer migrate' first (with the same --table-prefix and --schema)",
  '42501': "permission denied on coffer's tables: the role needs select/insert/update on them",
  '53300': 'the server has too many connections',
  '57P01': 'the server is shutting down',
  '57P03': 'the server is starting up or shutting down',
};

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const nested = (error as { errors?: unknown }).errors;
  return Array.isArray(nested) && nested.length > 0 ? codeOf(nested[0]) : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : '';
}

/**
 * A {@link CliError} for a database driver error (exit 4), or `undefined` when `error` is not one.
 * The result's message is built from the error's code only.
 */
export function databaseFailure(error: unknown): CliError | undefined {
  const code = codeOf(error);
  if (code === undefined) return undefined;
  let what: string | undefined;
  if (Object.hasOwn(NETWORK, code)) what = NETWORK[code];
  else if (/^(?=.*\d)[0-9A-Z]{5}$/.test(code)) {
    what = SQLSTATE[code] ?? `the database refused the query (SQLSTATE ${code})`;
  } else if (code.startsWith('SQLITE_')) {
    // Read, never printed: SQLite's message names the missing table, which tells what to do.
    if (/^no such (table|column)/.test(messageOf(error))) {
      what =
        "coffer's tables are missing or out of date: run 'coffer migrate' first (with the same --table-prefix)";
    } else if (code === 'SQLITE_NOTADB') what = 'the file is not a SQLite database';
    else if (code === 'SQLITE_CANTOPEN') what = 'the database file cannot be opened';
    else if (code.startsWith('SQLITE_READONLY')) what = 'the database file is read-only';
    else if (code.startsWith('SQLITE_BUSY')) what = 'the database is locked by another writer';
    else if (code.startsWith('SQLITE_CORRUPT')) what = 'the database file is damaged';
    else what = `SQLite failed (${code})`;
  }
  if (what === undefined) return undefined;
  return new CliError('DATABASE_FAILED', `Database error: ${what}.`, EXIT_CODES.database, {
    driverCode: code,
  });
}
