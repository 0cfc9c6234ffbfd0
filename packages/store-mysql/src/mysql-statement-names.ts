// Server-side prepared statements for the quick path's pool: the store's hot queries (reveal, put,
// rewrap) go through mysql2's `execute` (parsed once per connection, values bound in the binary
// protocol) instead of `query` (the text parsed on every call, values escaped into it). Only texts
// the store registered are executed this way; every other query on the pool is left alone.
import type { Pool } from 'mysql2';

type Call = (...args: unknown[]) => unknown;

/** @internal Executes registered statement texts on every connection of `pool`; returns the register. */
export function executeStatements(pool: Pool): (sql: string) => void {
  const texts = new Set<string>();
  pool.on('connection', (connection) => {
    const query = connection.query.bind(connection) as Call;
    const execute = connection.execute.bind(connection) as Call;
    const routed: Call = (sql, values, callback) =>
      typeof sql === 'string' &&
      texts.has(sql) &&
      Array.isArray(values) &&
      typeof callback === 'function'
        ? execute(sql, values, callback)
        : query(sql, values, callback);
    Object.assign(connection, { query: routed });
  });
  return (sql) => {
    texts.add(sql);
  };
}
