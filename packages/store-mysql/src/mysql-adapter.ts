// MySQL / MariaDB specifics for the shared queries: times as bigint epoch milliseconds, sealed bytes
// as Buffers (mysql2 sends only Buffers as binary), JSON as text, plain inserts whose duplicate-key
// error answers "exists", the rewrap cursor without row values, and the error numbers worth a retry.
import { InvalidInputError } from '@coffer/core';
import type { DialectAdapter } from '@coffer/store-kysely';
import { sql } from 'kysely';
import { MysqlCharsetError } from './mysql-charset-error.js';

// ER_LOCK_DEADLOCK: InnoDB rolled the transaction back; ER_LOCK_WAIT_TIMEOUT: a row lock was held
// longer than innodb_lock_wait_timeout. Both mean "run the whole operation again".
const DEADLOCK = 1213;
const LOCK_WAIT_TIMEOUT = 1205;
// ER_DUP_ENTRY: a primary or unique key already holds the value.
const DUPLICATE_KEY = 1062;
// ER_PARSE_ERROR: the statement was not parsed, so none of it ran.
const PARSE_ERROR = 1064;

// JSON.stringify writes an unpaired surrogate as a \ud800-\udfff escape (paired ones stay literal);
// MySQL's and MariaDB's JSON_VALID refuse such text. Counted from an even run of backslashes, so
// an escaped backslash followed by "ud800" is not one.
const SURROGATE_ESCAPE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/i;

// What a session must speak: utf8mb4 in and out (a `null` results set means "no conversion").
const UTF8MB4 = 'utf8mb4';

function errno(error: unknown): unknown {
  return typeof error === 'object' && error !== null
    ? (error as { errno?: unknown }).errno
    : undefined;
}

/** @internal */
export const mysqlAdapter: DialectAdapter = {
  dialect: 'mysql',
  // Not `begin`: MariaDB's Oracle mode reads that as the start of a block.
  beginWrite: 'start transaction',
  uuidIds: false,
  writableCte: false,
  nulFreeText: false,
  upsert: 'on-duplicate-key',
  partialIndexes: false,
  rowValues: false,
  timeToDb: (ms) => ms,
  timeFromDb: (value) => Number(value),
  bytesToDb: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  bytesFromDb: (value) => new Uint8Array(value as Uint8Array),
  jsonToDb: (value) => {
    const json = JSON.stringify(value);
    if (SURROGATE_ESCAPE.test(json)) {
      throw new InvalidInputError(
        'metadata contains an unpaired UTF-16 surrogate, which MySQL / MariaDB JSON cannot hold. Remove it.',
        { details: { parameter: 'metadata' } },
      );
    }
    return json;
  },
  jsonFromDb: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
  isTransient: (error) => {
    const n = errno(error);
    return n === DEADLOCK || n === LOCK_WAIT_TIMEOUT;
  },
  isUniqueViolation: (error) => errno(error) === DUPLICATE_KEY,
  // MariaDB (10.1.1 and later) runs an anonymous compound statement, so a put is one round trip:
  // the exit handler rolls back and raises the error again with its own number (1062 stays a
  // duplicate key, 1213 a deadlock worth a retry). It handles `not found` too: a condition of
  // class 02 (a trigger's `signal sqlstate '02000'`) also ends the statement, and without the
  // handler it would leave the transaction open on a pooled connection. Warnings (class 01) do
  // not end it. MySQL 8 has no such statement, and MariaDB's Oracle mode spells it differently:
  // those keep the four-statement transaction.
  atomicBlock: {
    wrap: (statements) =>
      `begin not atomic declare exit handler for sqlexception, not found begin rollback; resignal; end; start transaction; ${statements.map((s) => s.sql).join('; ')}; commit; end`,
    supported: async (db) => {
      const { rows } = await sql<{
        version: string | null;
        mode: string | null;
      }>`select version() as version, @@sql_mode as mode`.execute(db);
      const found = rows[0];
      return /mariadb/i.test(String(found?.version)) && !/\boracle\b/i.test(String(found?.mode));
    },
    refused: (error) => errno(error) === PARSE_ERROR,
  },
  // Before the store's first statement: a session in another character set re-encodes text without
  // an error (emoji and most of Unicode become '?'), so two owners could be stored and looked up
  // as one. A host's own pool is checked once per store; every connection of a mysql2 pool is
  // opened with the pool's one charset.
  prepareWrites: async (db) => {
    const { rows } = await sql<{
      client: string | null;
      connection: string | null;
      results: string | null;
    }>`select @@character_set_client as client, @@character_set_connection as connection, @@character_set_results as results`.execute(
      db,
    );
    const found = rows[0] ?? { client: null, connection: null, results: null };
    const charsets = {
      client: found.client === null ? null : String(found.client),
      connection: found.connection === null ? null : String(found.connection),
      results: found.results === null ? null : String(found.results),
    };
    if (
      charsets.client !== UTF8MB4 ||
      charsets.connection !== UTF8MB4 ||
      (charsets.results !== null && charsets.results !== UTF8MB4)
    ) {
      throw new MysqlCharsetError(charsets);
    }
  },
  // mysql2 interpolates values into the SQL text client-side and attaches that text to its errors.
  scrubError: (error) => {
    if (typeof error === 'object' && error !== null && 'sql' in error) {
      delete (error as { sql?: unknown }).sql;
    }
  },
};
