// The quick path: a mysql2 pool from a connection string, wrapped in Kysely.
import { InvalidInputError } from '@coffer/core';
import { Kysely, MysqlDialect } from 'kysely';
import { createPool } from 'mysql2';
import { executeStatements } from './mysql-statement-names.js';

/** @internal Default pool size of the quick path. */
export const DEFAULT_POOL_SIZE = 10;

/**
 * @internal Opens a pool; the caller owns the returned Kysely (destroying it ends the pool).
 * `prepare` registers statement texts to run as server-side prepared statements, unless
 * `prepared` is false.
 */
export function openMysqlKysely(
  connectionString: string,
  poolSize: number | undefined,
  prepared: boolean,
): { db: Kysely<unknown>; prepare: ((sql: string) => void) | undefined } {
  const invalidUrl = () =>
    // Never echo the URL: it may hold a password.
    new InvalidInputError(
      'connectionString must be a mysql:// or mariadb:// URL, e.g. mysql://app@db.internal:3306/app.',
      { details: { parameter: 'connectionString' } },
    );
  if (typeof connectionString !== 'string' || connectionString === '') throw invalidUrl();
  let protocol: string;
  try {
    protocol = new URL(connectionString).protocol;
  } catch {
    throw invalidUrl();
  }
  if (protocol !== 'mysql:' && protocol !== 'mariadb:') throw invalidUrl();
  const max = poolSize ?? DEFAULT_POOL_SIZE;
  if (!Number.isSafeInteger(max) || max < 1 || max > 1000) {
    throw new InvalidInputError('poolSize must be an integer from 1 to 1000.', {
      details: { parameter: 'poolSize' },
    });
  }
  let pool: ReturnType<typeof createPool>;
  try {
    pool = createPool({
      uri: connectionString,
      connectionLimit: max,
      // utf8mb4 on the wire (also mysql2's default), so every Unicode character round-trips.
      charset: 'UTF8MB4_UNICODE_CI',
    });
  } catch {
    // mysql2 refused an option given in the URL's query string; its message may quote the URL.
    throw new InvalidInputError('connectionString holds options mysql2 does not accept.', {
      details: { parameter: 'connectionString' },
    });
  }
  const prepare = prepared ? executeStatements(pool) : undefined;
  return { db: new Kysely<unknown>({ dialect: new MysqlDialect({ pool }) }), prepare };
}
