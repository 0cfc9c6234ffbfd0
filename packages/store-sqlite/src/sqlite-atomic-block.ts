// A put on SQLite is two inserts in one `begin immediate` transaction. Sent through Kysely as four
// queries, each pays Kysely's per-query cost (a connection lock, promises, result mapping): about
// 40 µs in all here, against about 70 µs of SQLite work. The vault store sends it as one query
// instead, whose text is a block: a header with a nonce and how many values each statement takes,
// then the statements, one per line. coffer's statement cache (`cacheSqliteStatements`) recognises
// a block of this process (by its nonce) and runs it as one synchronous transaction.
//
// Nothing else may ever be sent a block: better-sqlite3 refuses a text of several statements, but
// bun:sqlite and node:sqlite prepare its first statement and ignore the rest — a driver that also
// bound loosely would run half a put. So the store first asks with a probe that only the cache
// answers (a plain driver runs it as the `select` it is, answering 0), and on any other handle
// keeps the four-query transaction.
import { randomBytes, toHex } from '@coffer/core';
import { type QueryExecutorProvider, sql as rawSql, type SqliteStatement } from 'kysely';

// The nonce is drawn when this module loads: only texts this process's stores built run as blocks.
// Any other text, whatever it starts with, goes to `prepare` as written, so a host's own query
// cannot borrow the block to run several statements. A second copy of this module (a bundle
// holding it twice) draws another nonce: its blocks are refused as several statements, and its
// stores fall back to the transaction.
const NONCE = toHex(randomBytes(16));
const HEADER = /^-- coffer atomic block ([0-9a-f]{32}): ([0-9]{1,4}(?: [0-9]{1,4}){0,15})\n/;
const PROBE = `-- coffer atomic block probe ${NONCE}\nselect 0 as coffer_atomic_blocks`;

/**
 * @internal Whether `db` runs blocks: only coffer's statement cache (of this module) answers the
 * probe with 1; any other handle runs it as the plain `select` it is and answers 0.
 */
export async function sqliteAtomicBlocksSupported(db: QueryExecutorProvider): Promise<boolean> {
  const { rows } = await rawSql.raw<{ coffer_atomic_blocks: unknown }>(PROBE).execute(db);
  return rows[0]?.coffer_atomic_blocks === 1;
}

/** What runs the block's statements: the handle under the statement cache. */
interface Prepares {
  prepare(sql: string): SqliteStatement;
}

/** @internal The block running `statements` (compiled texts, each on one line) in one transaction. */
export function sqliteAtomicBlock(
  statements: readonly { readonly sql: string; readonly parameters: readonly unknown[] }[],
): string {
  for (const statement of statements) {
    if (/[\n;]/.test(statement.sql)) {
      // Kysely compiles to one line without `;`; anything else cannot be split back.
      throw new TypeError('a statement of an atomic block must be one line without ";"');
    }
  }
  const counts = statements.map((statement) => statement.parameters.length).join(' ');
  return `-- coffer atomic block ${NONCE}: ${counts}\n${statements.map((s) => s.sql).join(';\n')}`;
}

/**
 * @internal Whether `error` is better-sqlite3 refusing a text of several statements unrun (a
 * safety net: the probe keeps blocks away from handles without the cache).
 */
export function isMultipleStatementsRefusal(error: unknown): boolean {
  return error instanceof RangeError && /more than one statement/i.test(error.message);
}

/**
 * @internal The block in `sql` as one statement for Kysely's SQLite driver, or `undefined` when
 * `sql` is not a block. Running it: `begin immediate`, each statement with its share of the values,
 * `commit`; on any error, `rollback` and the error thrown as it was (so `SQLITE_BUSY` is retried
 * and a constraint error keeps its code).
 */
export function prepareSqliteAtomicBlock(
  database: Prepares,
  sql: string,
): SqliteStatement | undefined {
  if (sql === PROBE) {
    const answer = (): unknown[] => [{ coffer_atomic_blocks: 1 }];
    return {
      reader: true,
      all: answer,
      iterate: () => answer()[Symbol.iterator](),
      run: () => ({ changes: 0, lastInsertRowid: 0 }),
    };
  }
  const header = HEADER.exec(sql);
  if (header === null || header[1] !== NONCE) return undefined;
  const counts = (header[2] ?? '').split(' ').map(Number);
  const texts = sql.slice(header[0].length).split(';\n');
  if (texts.length !== counts.length) return undefined;
  const parts = texts.map((text, i) => ({
    statement: database.prepare(text),
    count: counts[i] ?? 0,
  }));
  // A block writes; rows a statement returned would be dropped.
  if (parts.some((part) => part.statement.reader)) return undefined;
  const total = counts.reduce((sum, n) => sum + n, 0);
  const begin = database.prepare('begin immediate');
  const commit = database.prepare('commit');
  const rollback = database.prepare('rollback');
  const refuse = (): never => {
    throw new TypeError('an atomic block returns no rows');
  };
  return {
    reader: false,
    all: refuse,
    iterate: refuse,
    run(parameters) {
      if (parameters.length !== total) {
        throw new RangeError(`an atomic block takes ${total} values, not ${parameters.length}`);
      }
      begin.run([]);
      let changes = 0;
      let lastInsertRowid: number | bigint = 0;
      try {
        let offset = 0;
        for (const { statement, count } of parts) {
          const result = statement.run(parameters.slice(offset, offset + count));
          offset += count;
          changes += Number(result.changes);
          lastInsertRowid = result.lastInsertRowid;
        }
        commit.run([]);
      } catch (error) {
        // SQLite may already have rolled back (a full disk, an I/O error): then there is nothing
        // to roll back, and that second error must not hide the first.
        try {
          rollback.run([]);
        } catch {}
        throw error;
      }
      return { changes, lastInsertRowid };
    },
  };
}
