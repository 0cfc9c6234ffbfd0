// What a SQL dialect supplies to run the shared store test suite: how to open stores on an isolated
// test database (several connections, as several processes would have), what a copy of that
// database holds, how to run a plain SQL script, how to describe a schema, and how its planner
// reads one statement. Everything else — the behaviours every coffer SQL store must have — lives in
// the suite (the `describe*` parts next to this file).
import type { ApiKeyStore } from '@coffer/api-keys';
import type { VaultStore } from '@coffer/vault';
import type { CompiledQuery, Kysely, KyselyPlugin } from 'kysely';
import type { MigrationReport, SqlMigration } from '../src/index.js';

/** One store object, the shape `createPostgresStore` / `createSqliteStore` / `createMysqlStore` return. */
export interface DialectStorage {
  readonly vault: VaultStore;
  readonly apiKeys: ApiKeyStore;
  readonly db: Kysely<unknown>;
  migrate(): Promise<MigrationReport>;
  close(): Promise<void>;
}

/** How to open a store on a test database. */
export interface OpenOptions {
  /** Table prefix; the store's default (`coffer_`) when not given. */
  tablePrefix?: string;
  /**
   * Open the store on a Kysely instance the test builds (as a host application would), with this
   * query log and these plugins; otherwise through the store's quick path.
   */
  ownKysely?: { log?: (query: CompiledQuery) => void; plugins?: KyselyPlugin[] };
}

/** What a copy of the database holds, one way of making it (a dump tool, SQL, the files' bytes). */
export interface DatabaseCopy {
  /** How it was made, e.g. `pg_dump`, `sql`, `file bytes`. */
  via: string;
  data: string | Uint8Array;
}

/** One step of a statement's plan that reads a table or an index (every such step, none other). */
export interface PlanStep {
  /** The table read (or its alias in the statement). */
  table: string;
  /** The index used, or `undefined` when the table's rows are scanned without one. */
  index: string | undefined;
  /** Whether the step walks the whole table or index instead of seeking a range of it. */
  full: boolean;
  /** Whether rows are sorted after reading (the order does not come from the index). */
  sorted: boolean;
  /** The dialect's own words for the step, for failure messages. */
  detail: string;
}

/** An isolated database (PostgreSQL / MySQL database, SQLite file) for one test file. */
export interface TestDatabase {
  /** A store on a new connection (pool, handle) to this database. */
  open(options?: OpenOptions): Promise<DialectStorage>;
  /** Every copy the dialect can make of the tables of one prefix. */
  copies(tablePrefix: string): Promise<DatabaseCopy[]>;
  /** Runs several `;`-terminated statements as the dialect's command-line client would. */
  runScript(script: string): Promise<void>;
  /** A comparable description of one prefix's tables, columns and indexes (not coffer's migration bookkeeping). */
  describeSchema(tablePrefix: string): Promise<unknown>;
  /** Refreshes the planner's statistics for one prefix's tables. */
  analyze(tablePrefix: string): Promise<void>;
  /** The plan of one statement the store ran on this database. */
  explain(query: CompiledQuery): Promise<PlanStep[]>;
  /** Removes the database. */
  drop(): Promise<void>;
}

/** A store for one conformance case, with what the published suites need. */
export interface ConformanceStore {
  storage: DialectStorage;
  rawDump(): Promise<string | Uint8Array>;
  /** A second store on its own connection to the same tables, where the variant can have one. */
  openSecond?: () => Promise<DialectStorage>;
  close(): Promise<void>;
}

/** Everything the shared suite needs from a dialect. */
export interface DialectHarness {
  /** `postgres`, `sqlite`, `mysql`. */
  readonly name: string;
  /** A fresh database for one test file. */
  createDatabase(label: string): Promise<TestDatabase>;
  /** The variants the published conformance suites run on, each making fresh empty stores. */
  readonly conformance: {
    variants: ReadonlyArray<{ name: string; create: () => Promise<ConformanceStore> }>;
    /** Runs once after every case (drops what the variants created). */
    cleanup(): Promise<void>;
  };
  /** The dialect's migrations rendered for a prefix. */
  migrations(tablePrefix?: string): readonly SqlMigration[];
  /** The shipped plain-SQL files, each as the package ships it. */
  readonly sqlFiles: ReadonlyArray<{
    /** The file the rendering must equal, e.g. `new URL('../sql/001_init.sql', import.meta.url)`. */
    path: string;
    /** The migration and direction it renders. */
    render: () => string;
  }>;
  /** The shipped plain-SQL files for the default prefix (`coffer_`), in migration order. */
  shippedFiles(): ReadonlyArray<{ name: string; up: string; down: string }>;
  /**
   * Migrations whose shipped files are for one run, because the dialect cannot write them
   * idempotently (SQLite and MySQL 8 have no `add column if not exists`); the Migrator runs them
   * after their `upDoneIf` / `downDoneIf` query.
   */
  readonly applyOnce: readonly string[];
  /** Separate connections (pools, handles) the concurrency tests spread their writers over. */
  readonly handles: number;
  /**
   * How many rows the interrupted-and-resumed rewrap moves: 10,000 where writes are cheap; fewer
   * where every commit waits for a disk flush (the property — stop midway, resume only the rest —
   * is the same at any size above a few batches).
   */
  readonly rewrapRows: number;
  /** Whether a failed migration leaves nothing behind (transactional DDL). */
  readonly transactionalDdl: boolean;
  /** Whether concurrent `migrate()` calls from separate connections wait for each other (a migration lock). */
  readonly migrationLock: boolean;
  /** An epoch-millisecond time as the dialect's driver binds it (for rows the tests write directly). */
  timeToDb(ms: number): unknown;
  /** Whether an error is the database refusing a row by a check constraint. */
  isCheckViolation(error: unknown): boolean;
}
