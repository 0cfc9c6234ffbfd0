// MySQL / MariaDB for the shared store suite: a fresh database per test file on the test server,
// stores on their own mysql2 pools, copies by mariadb-dump / mysqldump (--hex-blob) and by SQL,
// plans by EXPLAIN.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tableNames } from '@coffer/store-kysely';
import { Kysely, MysqlDialect } from 'kysely';
import { createPool } from 'mysql2';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import type {
  ConformanceStore,
  DialectHarness,
  DialectStorage,
  PlanStep,
  TestDatabase,
} from '../../store-kysely/test-support/index.js';
import {
  createMysqlStore,
  type MysqlFlavor,
  type MysqlStore,
  mysqlMigrations,
} from '../src/index.js';
import { createTestMysqlDatabase } from './test-database.js';

const POOL_SIZE = 10;
const run = promisify(execFile);

/** The flavor the DDL is rendered for when comparing with the shipped files. */
export const testFlavor: MysqlFlavor = 'mariadb';

/** A store whose close() also ends the Kysely instance the test built for it. */
function storageOf(store: MysqlStore, own: Kysely<unknown> | undefined): DialectStorage {
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

/** coffer's tables (not the migration bookkeeping), from the one list of names. */
function tablesOf(prefix: string): string[] {
  const { migration, migrationLock, ...tables } = tableNames(prefix);
  return Object.values(tables);
}

/** The dump tool's data-only output for some tables, binary columns as hex; undefined without one. */
async function viaDumpTool(url: string, tables: string[]): Promise<string | undefined> {
  const u = new URL(url);
  const args = [
    `--host=${u.hostname}`,
    `--port=${u.port || '3306'}`,
    `--user=${decodeURIComponent(u.username)}`,
    ...(u.password === '' ? [] : [`--password=${decodeURIComponent(u.password)}`]),
    '--no-create-info',
    '--skip-extended-insert',
    '--hex-blob',
    '--compact',
    u.pathname.slice(1),
    ...tables,
  ];
  for (const tool of ['mariadb-dump', 'mysqldump']) {
    try {
      return (await run(tool, args, { maxBuffer: 256 * 1024 * 1024 })).stdout;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
    }
  }
  return undefined;
}

/** Every row of some tables as text, binary values as hex (what `select *` shows a reader). */
async function viaSql(url: string, tables: string[]): Promise<string> {
  const connection = await createConnection({ uri: url });
  try {
    const parts: string[] = [];
    for (const table of tables) {
      const [rows] = await connection.query<RowDataPacket[]>(`select * from \`${table}\``);
      for (const row of rows) {
        parts.push(
          Object.values(row)
            .map((v) => (Buffer.isBuffer(v) ? `0x${v.toString('hex')}` : String(v)))
            .join('\t'),
        );
      }
    }
    return parts.join('\n');
  } finally {
    await connection.end();
  }
}

async function openDatabase(label: string): Promise<TestDatabase> {
  const database = await createTestMysqlDatabase(`my_${label}`);
  const connect = () => createConnection({ uri: database.url, multipleStatements: true });
  return {
    async open(options = {}) {
      const prefix = options.tablePrefix === undefined ? {} : { tablePrefix: options.tablePrefix };
      if (options.ownKysely === undefined) {
        const store = createMysqlStore({
          connectionString: database.url,
          poolSize: POOL_SIZE,
          ...prefix,
        });
        return storageOf(store, undefined);
      }
      const { log, plugins } = options.ownKysely;
      const db = new Kysely<unknown>({
        dialect: new MysqlDialect({
          pool: createPool({ uri: database.url, connectionLimit: POOL_SIZE }),
        }),
        ...(plugins === undefined ? {} : { plugins }),
        ...(log === undefined
          ? {}
          : {
              log: (event) => {
                if (event.level === 'query') log(event.query);
              },
            }),
      });
      return storageOf(createMysqlStore({ db, ...prefix }), db);
    },
    async copies(prefix) {
      const tables = tablesOf(prefix);
      const tool = await viaDumpTool(database.url, tables);
      return [
        ...(tool === undefined ? [] : [{ via: 'mariadb-dump --hex-blob', data: tool }]),
        { via: 'sql', data: await viaSql(database.url, tables) },
      ];
    },
    async runScript(script) {
      const connection = await connect();
      try {
        await connection.query(script);
      } finally {
        await connection.end();
      }
    },
    async describeSchema(prefix) {
      const connection = await connect();
      try {
        const [tables] = await connection.query<RowDataPacket[]>(
          `select table_name as name from information_schema.tables
           where table_schema = database() and table_type = 'BASE TABLE'
             and table_name like ? and table_name not like '%migration%' order by table_name`,
          [`${prefix.replaceAll('_', '\\_')}%`],
        );
        const out: string[] = [];
        for (const t of tables) {
          const [rows] = await connection.query<RowDataPacket[]>(
            `show create table \`${String(t.name)}\``,
          );
          out.push(String(rows[0]?.['Create Table']).replaceAll(prefix, '<prefix>'));
        }
        return out;
      } finally {
        await connection.end();
      }
    },
    async analyze(prefix) {
      const connection = await connect();
      try {
        for (const t of tablesOf(prefix)) await connection.query(`analyze table \`${t}\``);
      } finally {
        await connection.end();
      }
    },
    async explain(q) {
      // EXPLAIN of a plain insert reports no access path worth judging; nor of a compound
      // statement of plain inserts (a put on MariaDB), which EXPLAIN does not take.
      if (/^\s*(insert|begin\s+not\s+atomic)\b/i.test(q.sql) && !/\bselect\b/i.test(q.sql)) {
        return [];
      }
      const connection = await connect();
      try {
        const text = connection.format(q.sql, q.parameters as unknown[]);
        const [rows] = await connection.query<RowDataPacket[]>(`explain ${text}`);
        const sorted = rows.some((r) => /filesort/i.test(String(r.Extra)));
        const steps: PlanStep[] = [];
        for (const r of rows) {
          const type = r.type === null || r.type === undefined ? null : String(r.type);
          const extra = String(r.Extra ?? '');
          const key = r.key === null || r.key === undefined ? undefined : String(r.key);
          // A unique-key lookup that found nothing is reported as "Impossible WHERE noticed after
          // reading const tables", without a table or type: the index was read, no table scanned.
          if (type === null && /after reading const tables/i.test(extra)) {
            steps.push({ table: '(const)', index: 'PRIMARY', full: false, sorted, detail: extra });
            continue;
          }
          if (r.table === null || r.table === undefined) continue;
          steps.push({
            table: String(r.table),
            index: type === 'ALL' ? undefined : key,
            full: type === 'ALL' || type === 'index',
            sorted,
            detail: `${String(r.table)} ${type} ${key ?? '-'} ${extra}`,
          });
        }
        return steps;
      } finally {
        await connection.end();
      }
    },
    drop: () => database.drop(),
  };
}

// The published suites: one database, each variant's tables migrated once and emptied before each
// case (creating tables per case costs a few hundred milliseconds of DDL on MySQL).
let conformanceDb: Promise<{ url: string; drop: () => Promise<void> }> | undefined;
const migrated = new Set<string>();

function conformanceDatabase() {
  conformanceDb ??= createTestMysqlDatabase('my_conformance');
  return conformanceDb;
}

function conformanceVariant(
  tablePrefix: string,
  ownKysely: boolean,
): () => Promise<ConformanceStore> {
  return async () => {
    const { url } = await conformanceDatabase();
    const open = (): DialectStorage => {
      if (!ownKysely) {
        return storageOf(
          createMysqlStore({ connectionString: url, poolSize: 6, tablePrefix }),
          undefined,
        );
      }
      const db = new Kysely<unknown>({
        dialect: new MysqlDialect({ pool: createPool({ uri: url, connectionLimit: 6 }) }),
      });
      return storageOf(createMysqlStore({ db, tablePrefix }), db);
    };
    const storage = open();
    if (!migrated.has(tablePrefix)) {
      await storage.migrate();
      migrated.add(tablePrefix);
    }
    const connection = await createConnection({ uri: url });
    try {
      // Children first: versions reference entries.
      for (const t of tablesOf(tablePrefix).reverse()) {
        await connection.query(`delete from \`${t}\``);
      }
    } finally {
      await connection.end();
    }
    const mine: DialectStorage[] = [storage];
    return {
      storage,
      rawDump: async () =>
        (await viaDumpTool(url, tablesOf(tablePrefix))) ??
        (await viaSql(url, tablesOf(tablePrefix))),
      openSecond: async () => {
        const other = open();
        mine.push(other);
        return other;
      },
      close: async () => {
        for (const s of mine) await s.close();
      },
    };
  };
}

const sqlDir = new URL('../sql/', import.meta.url);
const names = mysqlMigrations().map((m) => m.name.replace(/^coffer_/, ''));

// MySQL 8 has no `add column if not exists` (MariaDB has): the files of its migrations that add
// columns apply once (the Migrator checks information_schema first, their `upDoneIf`).
function applyOnce(flavor: MysqlFlavor): string[] {
  return flavor === 'mysql'
    ? mysqlMigrations({ flavor })
        .filter((m) => m.upDoneIf !== undefined)
        .map((m) => m.name)
    : [];
}

function renderFile(
  statements: readonly string[],
  name: string,
  direction: string,
  flavor: MysqlFlavor,
): string {
  const server = flavor === 'mariadb' ? 'MariaDB' : 'MySQL 8.0.17+';
  return [
    `-- coffer ${name} (${direction}) for ${server}: tables prefixed "coffer_", in the connection's database.`,
    `-- Generated from mysqlMigrations({ flavor: '${flavor}' }) in @coffer/store-mysql; render other`,
    applyOnce(flavor).includes(name)
      ? "-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Apply once: MySQL 8 has no 'add column if not exists'."
      : '-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Safe to run twice.',
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

export const mysqlHarness: DialectHarness = {
  name: 'mysql',
  createDatabase: openDatabase,
  conformance: {
    variants: [
      { name: '(connection string)', create: conformanceVariant('coffer_', false) },
      { name: '(your own Kysely, prefix "app_")', create: conformanceVariant('app_', true) },
    ],
    cleanup: async () => {
      if (conformanceDb !== undefined) await (await conformanceDb).drop();
    },
  },
  migrations: (tablePrefix) =>
    mysqlMigrations({ flavor: testFlavor, ...(tablePrefix === undefined ? {} : { tablePrefix }) }),
  sqlFiles: (['mariadb', 'mysql'] as const).flatMap((flavor) =>
    mysqlMigrations({ flavor }).flatMap((m) => {
      const file = m.name.replace(/^coffer_/, '');
      return [
        {
          path: fileURLToPath(new URL(`${flavor}/${file}.sql`, sqlDir)),
          render: () => renderFile(m.up, m.name, 'up', flavor),
        },
        {
          path: fileURLToPath(new URL(`${flavor}/${file}.down.sql`, sqlDir)),
          render: () => renderFile(m.down, m.name, 'down', flavor),
        },
      ];
    }),
  ),
  shippedFiles: () => {
    const shipped = (file: string) =>
      readFileSync(new URL(`${testFlavor}/${file}`, sqlDir), 'utf8');
    return names.map((f) => ({
      name: `coffer_${f}`,
      up: shipped(`${f}.sql`),
      down: shipped(`${f}.down.sql`),
    }));
  },
  applyOnce: applyOnce(testFlavor),
  handles: 2,
  // Every commit waits for InnoDB's log flush (innodb_flush_log_at_trx_commit = 1), and a rewrap
  // commits each row: 2,000 rows in batches of 100 stop midway and resume just as 10,000 do.
  rewrapRows: 2_000,
  transactionalDdl: false,
  migrationLock: true,
  timeToDb: (ms) => ms,
  // ER_CONSTRAINT_FAILED (MariaDB 4025), ER_CHECK_CONSTRAINT_VIOLATED (MySQL 3819).
  isCheckViolation: (error) => {
    const errno = (error as { errno?: unknown } | undefined)?.errno;
    return errno === 4025 || errno === 3819;
  },
};
