// Named prepared statements for the quick path's pool: the store's hot queries (reveal, put, rewrap)
// are sent as named statements, so each connection parses and plans them once instead of per call
// (planning a two-table join costs more than running it). Only texts the store registered are
// named; every other query on the pool stays an unnamed statement.
import type pg from 'pg';

type Query = (...args: unknown[]) => unknown;

/** @internal Names registered statement texts on every client of `pool`; returns the register. */
export function nameStatements(pool: pg.Pool): (sql: string) => void {
  const names = new Map<string, string>();
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as Query;
    const named: Query = (text, values, ...rest) => {
      const name = typeof text === 'string' ? names.get(text) : undefined;
      if (name === undefined || !Array.isArray(values)) return query(text, values, ...rest);
      return query({ name, text, values }, ...rest);
    };
    Object.assign(client, { query: named });
  });
  return (sql) => {
    if (!names.has(sql)) names.set(sql, `coffer_statement_${names.size + 1}`);
  };
}
