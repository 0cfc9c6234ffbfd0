// SQLite specifics for the shared queries: integer epoch-ms times, blobs, JSON as text,
// BEGIN IMMEDIATE for writes, SQLITE_BUSY* as transient contention, and secure deletion.
import type { DialectAdapter } from '@coffer/store-kysely';
import { sql } from 'kysely';
import {
  isMultipleStatementsRefusal,
  sqliteAtomicBlock,
  sqliteAtomicBlocksSupported,
} from './sqlite-atomic-block.js';

function errorCode(error: unknown): string {
  const code =
    typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

/** @internal */
export const sqliteAdapter: DialectAdapter = {
  dialect: 'sqlite',
  beginWrite: 'begin immediate',
  uuidIds: false,
  writableCte: false,
  nulFreeText: false,
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
  // A put as one query, which coffer's statement cache runs as one transaction. Only a handle
  // that answers the cache's probe is sent one; any other keeps the four-query transaction.
  atomicBlock: {
    wrap: sqliteAtomicBlock,
    supported: sqliteAtomicBlocksSupported,
    refused: isMultipleStatementsRefusal,
  },
  // Erased sealed values are zeroed in the pages, not left in free space.
  prepareWrites: async (db) => {
    await sql`pragma secure_delete = on`.execute(db);
  },
  // Move the zeroed pages into the database file and empty the WAL, which still holds the old
  // page images.
  afterDestroy: async (db) => {
    await sql`pragma wal_checkpoint(truncate)`.execute(db);
  },
};
