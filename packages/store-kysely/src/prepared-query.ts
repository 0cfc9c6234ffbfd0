// Queries on the hot paths (reveal, put, rewrap) are built and compiled by Kysely once per store,
// then run with new parameter values: building a query and compiling it to SQL costs about as much
// as a SQLite primary-key lookup itself. Values are given by name; the compiled query's parameter
// list is rebuilt from them in the order the dialect's compiler put their placeholders.
import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';

/** @internal Anything that runs a compiled query: a Kysely instance or a connection of one. */
export type RunsQueries = Pick<Kysely<unknown>, 'executeQuery'>;

/** @internal A query compiled once and run with new values. */
export interface PreparedQuery<Row, Name extends string> {
  /** The compiled SQL (for tests and plans). */
  readonly sql: string;
  /** Runs the query on `db` (the store's Kysely or a transaction's connection). */
  run(db: RunsQueries, values: Readonly<Record<Name, unknown>>): Promise<QueryResult<Row>>;
}

type Slot<Name> = { readonly name: Name } | { readonly constant: unknown };

/**
 * @internal Builds `build`'s query once, with a unique marker in place of each named value, and
 * compiles it. Markers are strings no caller can pass (they contain U+0000 and a per-call nonce).
 */
export function prepareQuery<Row, Name extends string>(
  names: readonly Name[],
  build: (value: (name: Name) => string) => Compilable<Row>,
  onCompile?: (sql: string) => void,
): PreparedQuery<Row, Name> {
  let compiled: CompiledQuery<Row> | undefined;
  let slots: Slot<Name>[] = [];
  const compile = (): CompiledQuery<Row> => {
    if (compiled !== undefined) return compiled;
    const nonce = Math.random().toString(36).slice(2);
    const markers = new Map<string, Name>(
      names.map((name) => [`\u0000${nonce}:${name}\u0000`, name]),
    );
    const markerOf = new Map<Name, string>([...markers].map(([marker, name]) => [name, marker]));
    const query = build((name) => {
      const marker = markerOf.get(name);
      if (marker === undefined) throw new TypeError(`unknown prepared value ${name}`);
      return marker;
    }).compile();
    slots = query.parameters.map((parameter) => {
      const name = typeof parameter === 'string' ? markers.get(parameter) : undefined;
      return name === undefined ? { constant: parameter } : { name };
    });
    compiled = query;
    onCompile?.(query.sql);
    return query;
  };
  return {
    get sql() {
      return compile().sql;
    },
    run(db, values) {
      const query = compile();
      const parameters = slots.map((slot) => ('name' in slot ? values[slot.name] : slot.constant));
      return db.executeQuery<Row>({ ...query, parameters });
    },
  };
}
