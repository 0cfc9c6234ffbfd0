// SQLite specifics for the shared queries: integer epoch-ms times, blobs, JSON as text,
// BEGIN IMMEDIATE for writes, and SQLITE_BUSY* as transient contention.
import type { DialectAdapter } from '@coffer/store-kysely';

function errorCode(error: unknown): string {
  const code =
    typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

/** @internal */
export const sqliteAdapter: DialectAdapter = {
  dialect: 'sqlite',
  beginWrite: 'begin immediate',
  selectForUpdate: false,
  uuidIds: false,
  timeToDb: (ms) => ms,
  timeFromDb: (value) => Number(value),
  bytesFromDb: (value) => new Uint8Array(value as Uint8Array),
  jsonToDb: (value) => JSON.stringify(value),
  jsonFromDb: (value) => JSON.parse(String(value)),
  isTransient: (error) => errorCode(error).startsWith('SQLITE_BUSY'),
  isUniqueViolation: (error) => {
    const code = errorCode(error);
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  },
};
