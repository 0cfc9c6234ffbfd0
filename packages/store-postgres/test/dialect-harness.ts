// PostgreSQL for the shared store suite: a fresh database per test file on the test server, stores
// on their own pg pools, copies by pg_dump and by SQL (the COPY text form), plans by EXPLAIN with
// sequential scans disabled (so a plan that still scans a table sequentially has no index to use).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tableNames } from '@coffer/store-kysely';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { createTestDatabase } from '../../../test-support/postgres.ts';
import type {
  ConformanceStore,
  DialectHarness,
  DialectStorage,
  PlanStep,
  TestDatabase,
} from '../../store-kysely/test-support/index.js';
import { createPostgresStore, type PostgresStore, postgresMigrations } from '../src/index.js';
import { dumpTables } from './dump-tables.js';

const POOL_SIZE = 10;

/** coffer's tables (not the migration bookkeeping), from the one list of names. */
function tablesOf(prefix: string, schema = 'public'): string[] {
  const { migration, migrationLock, ...tables } = tableNames(prefix);
  return Object.values(tables).map((t) => `${schema}.${t}`);
}

/** A store whose close() also ends the Kysely instance the test built for it. */
function storageOf(store: PostgresStore, own: Kysely<unknown> | undefined): DialectStorage {
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

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

function nodes(node: PlanNode, out: PlanNode[] = []): PlanNode[] {
  out.push(node);
  for (const child of node.Plans ?? []) nodes(child, out);
  return out;
}

function like(prefix: string): string {
  return `${prefix.replaceAll('_', '\\_')}%`;
}

async function openDatabase(label: string): Promise<TestDatabase> {
  const database = await createTestDatabase(`pg_${label}`);
  const query = async <R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<R[]> => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    async open(options = {}) {
      const prefix = options.tablePrefix === undefined ? {} : { tablePrefix: options.tablePrefix };
      if (options.ownKysely === undefined) {
        const store = createPostgresStore({
          connectionString: database.url,
          poolSize: POOL_SIZE,
          ...prefix,
        });
        return storageOf(store, undefined);
      }
      const { log, plugins } = options.ownKysely;
      const db = new Kysely<unknown>({
        dialect: new PostgresDialect({
          pool: new pg.Pool({ connectionString: database.url, max: POOL_SIZE }),
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
      return storageOf(createPostgresStore({ db, ...prefix }), db);
    },
    async copies(prefix) {
      const tables = tablesOf(prefix);
      const viaTool = await dumpTables(database.url, tables);
      const viaSql = await dumpTables(database.url, tables, { forceSql: true });
      return [
        { via: viaTool.via, data: viaTool.text },
        { via: viaSql.via, data: viaSql.text },
      ];
    },
    async runScript(script) {
      await query(script);
    },
    async describeSchema(prefix) {
      const strip = (text: string) => text.replaceAll(prefix, '<prefix>');
      const columns = await query<Record<string, string>>(
        `select table_name, column_name, data_type, is_nullable, column_default, collation_name
         from information_schema.columns c
         where table_schema = 'public' and table_name like $1 and table_name not like '%migration%'
           and exists (select 1 from information_schema.tables t where t.table_schema = c.table_schema
                       and t.table_name = c.table_name and t.table_type = 'BASE TABLE')
         order by table_name, ordinal_position`,
        [like(prefix)],
      );
      const indexes = await query<{ indexdef: string }>(
        `select indexdef from pg_indexes
         where schemaname = 'public' and tablename like $1 and tablename not like '%migration%'
         order by indexname`,
        [like(prefix)],
      );
      const constraints = await query<{ conrelid: string; def: string }>(
        `select conrelid::regclass::text as conrelid, pg_get_constraintdef(oid) as def
         from pg_constraint
         where conrelid::regclass::text like $1 and conrelid::regclass::text not like '%migration%'
         order by 1, 2`,
        [like(prefix)],
      );
      return {
        columns: columns.map((c) => ({ ...c, table_name: strip(String(c.table_name)) })),
        indexes: indexes.map((i) => strip(i.indexdef)),
        constraints: constraints.map((c) => `${strip(c.conrelid)}: ${strip(c.def)}`),
      };
    },
    async analyze() {
      await query('analyze');
    },
    async explain(q) {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query('set enable_seqscan = off');
        const result = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
          `explain (format json) ${q.sql}`,
          q.parameters as unknown[],
        );
        const plan = result.rows[0]?.['QUERY PLAN'][0]?.Plan;
        if (plan === undefined) throw new Error('no plan');
        const all = nodes(plan);
        const sorted = all.some((n) => /Sort/.test(n['Node Type']));
        const steps: PlanStep[] = [];
        for (const node of all) {
          const type = node['Node Type'];
          const index = node['Index Name'];
          const detail = `${type} ${node['Relation Name'] ?? ''} ${index ?? ''}`;
          // The write target of an insert, update or delete is not a read; a bitmap heap scan
          // reads the rows its bitmap index scan (a step of its own) found.
          if (type === 'ModifyTable' || type === 'Bitmap Heap Scan') continue;
          const table = node['Relation Name'] ?? index;
          if (table === undefined) continue;
          const seeks = node['Index Cond'] !== undefined;
          steps.push({ table, index, full: !seeks, sorted, detail });
        }
        return steps;
      } finally {
        await client.end();
      }
    },
    drop: () => database.drop(),
  };
}

// The published suites: one database for the file, a fresh schema per case (dropped after it).
let conformanceDb:
  | Promise<{ url: string; db: Kysely<unknown>; drop: () => Promise<void> }>
  | undefined;
let schemas = 0;
function conformanceDatabase() {
  conformanceDb ??= createTestDatabase('pg_conformance').then((database) => ({
    url: database.url,
    db: new Kysely<unknown>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: database.url, max: 20 }),
      }),
    }),
    drop: () => database.drop(),
  }));
  return conformanceDb;
}

function conformanceVariant(tablePrefix: string | undefined): () => Promise<ConformanceStore> {
  return async () => {
    const { url, db } = await conformanceDatabase();
    const schema = `conf_${++schemas}`;
    const prefix = tablePrefix === undefined ? {} : { tablePrefix };
    const store = createPostgresStore({ db, schema, ...prefix });
    await store.migrate();
    const others: PostgresStore[] = [];
    return {
      storage: storageOf(store, undefined),
      rawDump: async () => (await dumpTables(url, tablesOf(tablePrefix ?? 'coffer_', schema))).text,
      openSecond: async () => {
        const other = createPostgresStore({
          connectionString: url,
          poolSize: 6,
          schema,
          ...prefix,
        });
        others.push(other);
        return storageOf(other, undefined);
      },
      close: async () => {
        for (const other of others) await other.close();
        await sql.raw(`drop schema "${schema}" cascade`).execute(db);
      },
    };
  };
}

const sqlDir = new URL('../sql/', import.meta.url);
const shipped = (file: string): string => readFileSync(new URL(file, sqlDir), 'utf8');
const files = postgresMigrations().map((m) => m.name.replace(/^coffer_/, ''));

function renderFile(statements: readonly string[], name: string, direction: string): string {
  return [
    `-- coffer ${name} (${direction}) for PostgreSQL: tables prefixed "coffer_", no schema (search_path).`,
    '-- Generated from postgresMigrations() in @coffer/store-postgres; render other prefixes or a',
    '-- schema with postgresMigrations({ tablePrefix, schema }). Safe to run twice.',
    '',
    ...statements.map((s) => `${s};\n`),
  ].join('\n');
}

export const postgresHarness: DialectHarness = {
  name: 'postgres',
  createDatabase: openDatabase,
  conformance: {
    variants: [
      { name: '(schema per case)', create: conformanceVariant(undefined) },
      { name: '(schema per case, prefix "app_")', create: conformanceVariant('app_') },
    ],
    cleanup: async () => {
      if (conformanceDb === undefined) return;
      const { db, drop } = await conformanceDb;
      await db.destroy();
      await drop();
    },
  },
  migrations: (tablePrefix) => postgresMigrations(tablePrefix === undefined ? {} : { tablePrefix }),
  sqlFiles: postgresMigrations().flatMap((m) => {
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
    files.map((f) => ({
      name: `coffer_${f}`,
      up: shipped(`${f}.sql`),
      down: shipped(`${f}.down.sql`),
    })),
  applyOnce: [],
  handles: 2,
  rewrapRows: 10_000,
  transactionalDdl: true,
  migrationLock: true,
  timeToDb: (ms) => new Date(ms),
  isCheckViolation: (error) => (error as { code?: unknown } | undefined)?.code === '23514',
};
