// The quick path: a pg Pool from a connection string, wrapped in Kysely.
import { InvalidInputError } from '@coffer/core';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { nameStatements } from './postgres-statement-names.js';

/** @internal Default pool size of the quick path. */
export const DEFAULT_POOL_SIZE = 10;

/**
 * @internal Opens a pool; the caller owns the returned Kysely (destroying it ends the pool).
 * `prepare` registers statement texts to run as named prepared statements, unless `prepared` is
 * false.
 */
export function openPostgresKysely(
  connectionString: string,
  poolSize: number | undefined,
  prepared: boolean,
): { db: Kysely<unknown>; prepare: ((sql: string) => void) | undefined } {
  if (typeof connectionString !== 'string' || connectionString === '') {
    throw new InvalidInputError('connectionString must be a non-empty PostgreSQL URL.', {
      details: { parameter: 'connectionString' },
    });
  }
  const max = poolSize ?? DEFAULT_POOL_SIZE;
  if (!Number.isSafeInteger(max) || max < 1 || max > 1000) {
    throw new InvalidInputError('poolSize must be an integer from 1 to 1000.', {
      details: { parameter: 'poolSize' },
    });
  }
  const pool = new pg.Pool({ connectionString, max });
  // An idle client that loses its connection (server restart, network) is dropped by the pool;
  // without a listener pg would re-throw the error and end the process.
  pool.on('error', () => undefined);
  const prepare = prepared ? nameStatements(pool) : undefined;
  return { db: new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }), prepare };
}
