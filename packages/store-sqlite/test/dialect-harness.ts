// SQLite for the shared store suite: a fresh database file (WAL) per test file, stores on separate
// better-sqlite3 handles (as separate processes would have), the copy an attacker gets by copying
// the directory (the database file, its -wal and -shm), plans by EXPLAIN QUERY PLAN.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type {
  ConformanceStore,
  DialectHarness,
  DialectStorage,
  PlanStep,
  TestDatabase,
} from '../../store-kysely/test-support/index.js';
import { configureSqliteDatabase, createSqliteStore, sqliteMigrations } from '../src/index.js';
import { databaseFileBytes } from './file-bytes.js';
import { makeTempDir } from './temp-dir.js';

type SqliteStorage = ReturnType<typeof createSqliteStore>;

/** A store whose close() also ends the Kysely instance the test built for it. */
function storageOf(store: SqliteStorage, own: Kysely<unknown> | undefined): DialectStorage {
  return {
    vault: store.vault,
    apiKeys: store.apiKeys,
    db: store.db,
    migrate: () => store.migrate(),
    close: async () => {
      await store.close();
      await own?.destroy();
    },
  };
}

// "SEARCH t USING [COVERING] INDEX i (…)", "SCAN t USING … INDEX i", "SCAN t", "SEARCH t USING
// INTEGER PRIMARY KEY (rowid=?)"; other lines (temp b-trees, co-routines, constant rows) read no table.
const STEP =
  /^(SEARCH|SCAN) (\S+)(?: USING (?:COVERING )?INDEX (\S+)| USING (INTEGER PRIMARY KEY))?/;

async function openDatabase(label: string): Promise<TestDatabase> {
  const dir = makeTempDir(label);
  const filename = dir.file('db.sqlite');
  const raw = (readonly = false) => new Database(filename, { readonly });
  return {
    async open(options = {}) {
      const prefix = options.tablePrefix === undefined ? {} : { tablePrefix: options.tablePrefix };
      if (options.ownKysely === undefined) {
        return storageOf(createSqliteStore({ filename, ...prefix }), undefined);
      }
      const { log, plugins } = options.ownKysely;
      const database = raw();
      configureSqliteDatabase(database);
      const db = new Kysely<unknown>({
        dialect: new SqliteDialect({ database }),
        ...(plugins === undefined ? {} : { plugins }),
        ...(log === undefined
          ? {}
          : {
              log: (event) => {
                if (event.level === 'query') log(event.query);
              },
            }),
      });
      return storageOf(createSqliteStore({ db, ...prefix }), db);
    },
    async copies() {
      return [{ via: 'database, -wal and -shm file bytes', data: databaseFileBytes(filename) }];
    },
    async runScript(script) {
      const database = raw();
      try {
        database.exec(script);
      } finally {
        database.close();
      }
    },
    async describeSchema(prefix) {
      const database = raw(true);
      try {
        const rows = database
          .prepare(
            `select type, name, tbl_name, sql from sqlite_master
             where type in ('table', 'index') and tbl_name like ? escape '\\'
               and tbl_name not like '%migration%' order by name`,
          )
          .all(`${prefix.replaceAll('_', '\\_')}%`) as Array<Record<string, string | null>>;
        // Sorted after the prefix is replaced: SQLite's own index names (sqlite_autoindex_<table>)
        // would otherwise sort before or after the tables depending on the prefix.
        return rows
          .map((r) =>
            Object.fromEntries(
              Object.entries(r).map(([k, v]) => [k, v?.replaceAll(prefix, '<prefix>') ?? null]),
            ),
          )
          .sort((x, y) => String(x.name).localeCompare(String(y.name)));
      } finally {
        database.close();
      }
    },
    async analyze() {
      const database = raw();
      try {
        database.exec('analyze');
      } finally {
        database.close();
      }
    },
    async explain(q) {
      const database = raw(true);
      try {
        const plan = database
          .prepare(`explain query plan ${q.sql}`)
          .all(...(q.parameters as unknown[])) as Array<{ detail: string }>;
        const sorted = plan.some((s) => s.detail.startsWith('USE TEMP B-TREE'));
        const steps: PlanStep[] = [];
        for (const { detail } of plan) {
          const m = STEP.exec(detail);
          if (m === null) continue;
          const [, verb, table = '', index, rowid] = m;
          steps.push({ table, index: index ?? rowid, full: verb === 'SCAN', sorted, detail });
        }
        return steps;
      } finally {
        database.close();
      }
    },
    drop: async () => dir.remove(),
  };
}

// The published suites: a WAL file per case, and `:memory:` on your own Kysely.
const conformanceDir = makeTempDir('conformance');
let files = 0;

function fileVariant(): Promise<ConformanceStore> {
  const filename = conformanceDir.file(`case-${++files}.db`);
  const store = createSqliteStore({ filename });
  const others: SqliteStorage[] = [];
  return store.migrate().then(() => ({
    storage: storageOf(store, undefined),
    rawDump: async () => databaseFileBytes(filename),
    openSecond: async () => {
      const other = createSqliteStore({ filename });
      others.push(other);
      return storageOf(other, undefined);
    },
    close: async () => {
      for (const other of others) await other.close();
      await store.close();
    },
  }));
}

async function memoryVariant(): Promise<ConformanceStore> {
  const database = new Database(':memory:');
  configureSqliteDatabase(database);
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  const store = createSqliteStore({ db, tablePrefix: 'app_' });
  await store.migrate();
  return {
    storage: storageOf(store, db),
    rawDump: async () => new Uint8Array(database.serialize()),
    close: () => db.destroy(),
  };
}

const sqlDir = new URL('../sql/', import.meta.url);
const shipped = (file: string): string => readFileSync(new URL(file, sqlDir), 'utf8');
const names = sqliteMigrations().map((m) => m.name.replace(/^coffer_/, ''));

// SQLite has no `add column if not exists`: the files of the migrations that add columns apply
// once (the Migrator checks their `upDoneIf` first).
const APPLY_ONCE = sqliteMigrations()
  .filter((m) => m.upDoneIf !== undefined)
  .map((m) => m.name);

function renderFile(statements: readonly string[], name: string, direction: string): string {
  return [
    `-- coffer ${name} (${direction}) for SQLite: tables prefixed "coffer_".`,
    '-- Generated from sqliteMigrations() in @coffer/store-sqlite; render other prefixes with',
    APPLY_ONCE.includes(name)
      ? "-- sqliteMigrations({ tablePrefix }). Apply once: SQLite has no 'add column if not exists'."
      : '-- sqliteMigrations({ tablePrefix }). Safe to run twice.',
    ...(statements.length === 0
      ? [
          '-- Nothing to run: on PostgreSQL this migration adds the change-feed triggers; here it is only',
          '-- recorded, so every dialect shares one migration history.',
        ]
      : []),
    '',
    ...statements.map((s) => `${s};\n`),
  ].join('\n');
}

export const sqliteHarness: DialectHarness = {
  name: 'sqlite',
  createDatabase: openDatabase,
  conformance: {
    variants: [
      { name: 'file (WAL)', create: fileVariant },
      { name: ':memory: on your own Kysely, prefix "app_"', create: memoryVariant },
    ],
    cleanup: async () => conformanceDir.remove(),
  },
  migrations: (tablePrefix) => sqliteMigrations(tablePrefix === undefined ? {} : { tablePrefix }),
  sqlFiles: sqliteMigrations().flatMap((m) => {
    const file = m.name.replace(/^coffer_/, '');
    return [
      {
        path: fileURLToPath(new URL(`${file}.sql`, sqlDir)),
        render: () => renderFile(m.up, m.name, 'up'),
      },
      {
        path: fileURLToPath(new URL(`${file}.down.sql`, sqlDir)),
        render: () => renderFile(m.down, m.name, 'down'),
      },
    ];
  }),
  shippedFiles: () =>
    names.map((f) => ({
      name: `coffer_${f}`,
      up: shipped(`${f}.sql`),
      down: shipped(`${f}.down.sql`),
    })),
  applyOnce: APPLY_ONCE,
  handles: 4,
  rewrapRows: 10_000,
  transactionalDdl: true,
  migrationLock: false,
  timeToDb: (ms) => ms,
  isCheckViolation: (error) =>
    (error as { code?: unknown } | undefined)?.code === 'SQLITE_CONSTRAINT_CHECK',
};
