import type { CompiledQuery, QueryExecutorProvider } from 'kysely';

/**
 * What differs between the SQL dialects coffer stores on, and nothing else. Each store package
 * (`@coffer/store-postgres`, `@coffer/store-sqlite`, `@coffer/store-mysql`) supplies one; the shared queries in
 * `@coffer/store-kysely` call it to convert values and to classify driver errors. Write one only
 * to port coffer's stores to another Kysely dialect.
 *
 * @example
 * ```ts
 * import type { DialectAdapter } from '@coffer/store-kysely';
 *
 * // A sketch for a dialect that keeps times as ISO text and JSON as text, with no uuid type.
 * const adapter: DialectAdapter = {
 *   dialect: 'example',
 *   beginWrite: 'begin',
 *   uuidIds: false,
 *   writableCte: false,
 *   nulFreeText: false,
 *   timeToDb: (ms) => new Date(ms).toISOString(),
 *   timeFromDb: (v) => Date.parse(String(v)),
 *   bytesFromDb: (v) => new Uint8Array(v as Uint8Array),
 *   jsonToDb: (value) => JSON.stringify(value),
 *   jsonFromDb: (v) => JSON.parse(String(v)),
 *   isTransient: (e) => (e as { code?: unknown }).code === 'BUSY',
 *   isUniqueViolation: () => false,
 * };
 * adapter.timeFromDb(adapter.timeToDb(1_750_000_000_000)); // 1750000000000
 * ```
 */
export interface DialectAdapter {
  /** A short name used in errors and details (`'postgres'`, `'sqlite'`, `'mysql'`). */
  readonly dialect: string;
  /**
   * The statement that opens a write transaction: `'begin'` on PostgreSQL, `'start transaction'`
   * on MySQL (row locks and check-and-set do the rest), `'begin immediate'` on SQLite (take the
   * write lock up front so two writers never deadlock upgrading read locks).
   */
  readonly beginWrite: string;
  /**
   * Whether ids live in a `uuid` column (PostgreSQL). Then a string that is not a UUID cannot
   * name a row and is answered "not found" without a query (binding it would be a type error).
   */
  readonly uuidIds: boolean;
  /**
   * Whether data-modifying statements may appear in `WITH` (PostgreSQL). Then a write spanning
   * two tables (put, rotate) is one statement — one round trip, row locks held only for its
   * duration — instead of a transaction of several.
   */
  readonly writableCte: boolean;
  /**
   * Whether text columns refuse U+0000 (PostgreSQL). Then text with a NUL character is refused
   * with `INVALID_INPUT` before any write, instead of failing in the driver.
   */
  readonly nulFreeText: boolean;
  /**
   * Optional. How "insert unless the key exists" and "insert or update" are written:
   * `'on-conflict'` (the default; PostgreSQL, SQLite: `on conflict (…) do nothing` / `do update`)
   * or `'on-duplicate-key'` (MySQL, MariaDB: a plain insert whose duplicate-key error answers
   * "exists", and `on duplicate key update`).
   */
  readonly upsert?: 'on-conflict' | 'on-duplicate-key';
  /**
   * Optional. Whether the planner turns a row-value comparison `(entry_id, version) > (?, ?)` into
   * an index range (the default, `true`: PostgreSQL, SQLite). MariaDB does not (it walks the index
   * from its start), so with `false` the rewrap cursor is written `entry_id > ? or (entry_id = ?
   * and version > ?)`.
   */
  readonly rowValues?: boolean;
  /**
   * Optional. Whether the database has partial indexes (the default, `true`: PostgreSQL, SQLite).
   * Names are unique per owner among live entries through a unique index over `(owner, name)` of
   * rows `where name is not null and deleted_at is null`. MySQL and MariaDB have no partial
   * indexes: with `false` the schema has a generated column `live_name` (the name while the entry
   * is live, else `null`) under a unique index over `(owner, live_name)`, and lookups by name read
   * that column.
   */
  readonly partialIndexes?: boolean;
  /**
   * Optional. A compound statement that holds its own transaction, where the server or driver has
   * one: MariaDB's `begin not atomic … end`; on SQLite, a text that coffer's statement cache
   * (`cacheSqliteStatements`) runs as one synchronous transaction. A write spanning both vault
   * tables (put) is then one query — one round trip — instead of a transaction of four (begin, two
   * inserts, commit). Without it, or where `supported` answers `false` (MySQL 8), the transaction
   * is used.
   */
  readonly atomicBlock?: {
    /**
     * The compound statement running `statements` (compiled, in order; their parameters are
     * concatenated in the same order) in one transaction: all committed, or all rolled back and
     * the first error raised again as it was.
     */
    wrap(statements: readonly CompiledQuery[]): string;
    /** Whether the server at hand runs it: asked once per store, before its first put. */
    supported(db: QueryExecutorProvider): Promise<boolean>;
    /**
     * Whether an error means the server did not parse the block (a proxy, or a session mode the
     * check did not see): nothing ran, and the store runs this put, and every later one, as a
     * transaction.
     */
    refused(error: unknown): boolean;
  };
  /** An epoch-millisecond time as the driver binds it (`Date` for timestamptz, the number for SQLite). */
  timeToDb(ms: number): unknown;
  /** A stored time back to epoch milliseconds. */
  timeFromDb(value: unknown): number;
  /** Stored bytes (a driver `Buffer`) to a plain `Uint8Array` the caller owns. */
  bytesFromDb(value: unknown): Uint8Array;
  /**
   * Optional. Bytes as the driver binds them; default: the `Uint8Array` as given. (`mysql2` sends
   * only a `Buffer` as binary.)
   */
  bytesToDb?(bytes: Uint8Array): unknown;
  /** A JSON value as the driver binds it (text on both drivers; jsonb casts on PostgreSQL). */
  jsonToDb(value: unknown): unknown;
  /** A stored JSON value back to a JS value (`pg` already parses jsonb; SQLite returns text). */
  jsonFromDb(value: unknown): unknown;
  /**
   * Whether a driver error is transient contention worth retrying the whole operation for:
   * `SQLITE_BUSY*`, PostgreSQL deadlock (`40P01`) or serialization failure (`40001`), MySQL
   * deadlock (1213) or lock wait timeout (1205).
   */
  isTransient(error: unknown): boolean;
  /** Whether a driver error is a unique or primary-key violation. */
  isUniqueViolation(error: unknown): boolean;
  /**
   * Optional. Told the SQL text of each query the store compiles once and runs often (reveal, put,
   * rewrap), before its first run. A dialect may have the server prepare it: PostgreSQL's quick
   * path runs these as named prepared statements, parsed and planned once per connection.
   */
  prepare?(sql: string): void;
  /**
   * Optional. Removes what a driver copied from the statement into its error before the error
   * leaves the store (`mysql2` attaches the whole SQL text with every value interpolated as
   * `error.sql`), so a driver error carries codes and messages, not row data.
   */
  scrubError?(error: unknown): void;
  /**
   * Optional. Runs once per store before its first statement (read or write: everything the store
   * runs goes through its write runner), on the store's connection; a failure is thrown to the
   * caller and the hook runs again before the next statement. SQLite turns on `secure_delete` here,
   * so erased sealed values (destroy, pruned versions, rewrapped rows) are overwritten with zeros
   * instead of lingering in free space; MySQL refuses a session whose character sets are not
   * `utf8mb4` (text would be re-encoded without an error).
   */
  prepareWrites?(db: QueryExecutorProvider): Promise<void>;
  /**
   * Optional. Runs after sealed bytes were erased: an entry destroyed, a rotation that pruned
   * versions, a batch of `rewrapAll` (the name is historical). SQLite checkpoints and truncates its
   * WAL here, so the erased bytes leave the `-wal` file too (best effort: a reader holding an old
   * snapshot keeps the WAL until it finishes).
   */
  afterDestroy?(db: QueryExecutorProvider): Promise<void>;
}
