// coffer's SQLite store on a runtime's own SQLite (bun:sqlite, Deno's node:sqlite): a small
// adapter gives Kysely's SqliteDialect the better-sqlite3 shape it expects (statements taking an
// array, a `reader` flag) and configureSqliteDatabase the `pragma()` it calls; then the published
// vault and API-key conformance suites run against files in WAL mode, with a second connection.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApiKeyStoreConformance } from '@coffer/api-keys/testing';
import { configureSqliteDatabase, createSqliteStore, type SqliteStore } from '@coffer/store-sqlite';
import { runVaultStoreConformance } from '@coffer/vault/testing';
import { Kysely, type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';
import type { CheckGroup } from '../checks/check.ts';
import { conformanceGroup } from './conformance-checks.ts';

/** The statement surface both bun:sqlite and node:sqlite have (parameters spread, not an array). */
export interface NativeStatement {
  all(...parameters: unknown[]): unknown[];
  run(...parameters: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
}

/** How one runtime's SQLite differs. */
export interface NativeSqlite<S extends NativeStatement> {
  /** Opens a database file (or `:memory:`). */
  open(filename: string): { prepare(sql: string): S; close(): void };
  /** Whether a prepared statement returns rows. */
  returnsRows(statement: S): boolean;
  /** The error as better-sqlite3 would throw it (`code: 'SQLITE_BUSY'`, …), for the store's checks. */
  asDriverError(error: unknown): unknown;
  /** Parameter values the driver cannot bind as they are (node:sqlite refuses booleans). */
  bindable(value: unknown): unknown;
}

/** A better-sqlite3-shaped database over a runtime's own SQLite, for Kysely and the pragmas. */
export function sqliteDatabase<S extends NativeStatement>(
  native: NativeSqlite<S>,
  filename: string,
): SqliteDatabase & {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  readonly memory: boolean;
} {
  const db = native.open(filename);
  const call = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      throw native.asDriverError(error);
    }
  };
  const params = (parameters: ReadonlyArray<unknown>) => parameters.map((p) => native.bindable(p));
  return {
    memory: filename === ':memory:',
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const statement = call(() => db.prepare(sql));
      return {
        reader: native.returnsRows(statement),
        all: (parameters) => call(() => statement.all(...params(parameters))),
        run: (parameters) => call(() => statement.run(...params(parameters))),
        iterate: (parameters) =>
          call(() => statement.all(...params(parameters)))[Symbol.iterator](),
      };
    },
    pragma(source, options = {}) {
      const rows = call(() => db.prepare(`pragma ${source}`).all()) as Array<
        Record<string, unknown>
      >;
      return options.simple === true ? Object.values(rows[0] ?? {})[0] : rows;
    },
  };
}

/** The vault and API-key conformance suites on `native`, against WAL files in a temporary folder. */
export function sqliteStoreGroups<S extends NativeStatement>(
  label: string,
  native: NativeSqlite<S>,
): CheckGroup[] {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-sqlite-'));
  let n = 0;
  const open = (filename: string): { storage: SqliteStore; close(): Promise<void> } => {
    const database = sqliteDatabase(native, filename);
    configureSqliteDatabase(database);
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
    return { storage: createSqliteStore({ db }), close: () => db.destroy() };
  };
  const fileBytes = (filename: string): Uint8Array => {
    const parts = [filename, `${filename}-wal`, `${filename}-shm`]
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f));
    const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  };
  const groups = [
    conformanceGroup(`store-sqlite on ${label}: vault conformance`, (runner) =>
      runVaultStoreConformance(runner, {
        name: `${label} file (WAL)`,
        createStore: async () => {
          const filename = join(dir, `vault-${++n}.db`);
          const { storage, close } = open(filename);
          await storage.migrate();
          return { store: storage.vault, rawDump: async () => fileBytes(filename), close };
        },
      }),
    ),
    conformanceGroup(`store-sqlite on ${label}: API-key conformance`, (runner) =>
      runApiKeyStoreConformance(runner, {
        name: `${label} file (WAL), second handle = second connection`,
        createStore: async () => {
          const filename = join(dir, `api-keys-${++n}.db`);
          const main = open(filename);
          await main.storage.migrate();
          const others: Array<{ close(): Promise<void> }> = [];
          return {
            store: main.storage.apiKeys,
            rawDump: async () => fileBytes(filename),
            openSecondHandle: async () => {
              const other = open(filename);
              others.push(other);
              return other.storage.apiKeys;
            },
            close: async () => {
              for (const other of others) await other.close();
              await main.close();
            },
          };
        },
      }),
    ),
  ];
  groups.push({
    name: `store-sqlite on ${label}: cleanup`,
    checks: [
      {
        name: 'removes the temporary databases',
        run: () => rmSync(dir, { recursive: true, force: true }),
      },
    ],
  });
  return groups;
}
