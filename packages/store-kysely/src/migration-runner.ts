// Runs pending migrations with the bookkeeping of Kysely's `Migrator` (the same two tables, columns
// and lock row, and the dialect's own migration lock), written against the root `kysely` API only.
// kysely 0.29 moved `Migrator` to `kysely/migration`, which 0.28 does not have: importing it from
// either place breaks on the other version, and a literal import of a subpath that may not exist is
// a build error in some bundlers (Vite) and a warning in others. See docs/decisions.md, D20.
//
// A database migrated by Kysely's `Migrator` (earlier coffer releases, or a host running its own
// with coffer's provider and table names) continues here, and the other way round.
import { type Kysely, sql } from 'kysely';
import { MigrationError } from './errors.js';
import type { KyselyMigration, KyselyMigrationProvider } from './migration-provider.js';

/** @internal Where the bookkeeping lives (see `MigrationTables`). */
export interface RunnerTables {
  readonly migrationTableName: string;
  readonly migrationLockTableName: string;
  readonly migrationTableSchema?: string;
}

// The id of the single row in the lock table, as Kysely's Migrator writes it.
const LOCK_ROW_ID = 'migration_lock';

/**
 * @internal Applies every pending migration, in name order, under the dialect's migration lock and
 * (where DDL is transactional) in one transaction; returns the names applied.
 * @throws {MigrationError} naming the migration that failed, or none when the bookkeeping failed.
 */
export async function runPendingMigrations<DB>(
  db: Kysely<DB>,
  provider: KyselyMigrationProvider,
  tables: RunnerTables,
): Promise<string[]> {
  const fail = (cause: unknown, migration?: string, reason?: string): MigrationError =>
    new MigrationError(migration, tables.migrationTableName, cause, reason);
  let migrations: [string, KyselyMigration][];
  try {
    const record = await provider.getMigrations();
    migrations = Object.keys(record)
      .sort()
      .map((name): [string, KyselyMigration] => [name, record[name] as KyselyMigration]);
  } catch (cause) {
    throw fail(cause);
  }
  try {
    await ensureBookkeeping(db, tables);
  } catch (cause) {
    throw fail(cause);
  }
  const adapter = db.getExecutor().adapter;
  const lock = {
    lockTable: tables.migrationLockTableName,
    lockRowId: LOCK_ROW_ID,
    ...(tables.migrationTableSchema === undefined
      ? {}
      : { lockTableSchema: tables.migrationTableSchema }),
  };
  const locked = async (conn: Kysely<DB>): Promise<string[]> => {
    try {
      await adapter.acquireMigrationLock(conn, lock);
    } catch (cause) {
      throw fail(cause);
    }
    try {
      return adapter.supportsTransactionalDdl
        ? await conn.transaction().execute((trx) => applyPending(trx, migrations, tables, fail))
        : await applyPending(conn, migrations, tables, fail);
    } finally {
      await adapter.releaseMigrationLock(conn, lock);
    }
  };
  // A transaction handed in as `db` already is one connection (and cannot open another).
  if (db.isTransaction) return locked(db);
  return db.connection().execute(locked);
}

async function applyPending<DB>(
  db: Kysely<DB>,
  migrations: readonly [string, KyselyMigration][],
  tables: RunnerTables,
  fail: (cause: unknown, migration?: string, reason?: string) => MigrationError,
): Promise<string[]> {
  const table = tableRef(tables, tables.migrationTableName);
  let executed: { name: string; timestamp: string }[];
  try {
    const { rows } = await sql<{
      name: string;
      timestamp: string;
    }>`select ${sql.ref('name')}, ${sql.ref('timestamp')} from ${table}`.execute(db);
    executed = rows;
  } catch (cause) {
    throw fail(cause);
  }
  const known = migrations.map(([name]) => name);
  const done = new Set(executed.map((row) => row.name));
  for (const name of done) {
    if (!known.includes(name)) {
      throw fail(
        undefined,
        name,
        `The migration table "${tables.migrationTableName}" records migration "${name}", which this version of coffer does not know: the database was migrated by a newer release. Upgrade the coffer store package (or use a database of this release).`,
      );
    }
  }
  const firstPending = known.findIndex((name) => !done.has(name));
  const pending = firstPending < 0 ? [] : migrations.slice(firstPending);
  for (const [name] of pending) {
    if (done.has(name)) {
      throw fail(
        undefined,
        name,
        `The migration table "${tables.migrationTableName}" records migration "${name}" but not every migration before it; coffer applies its migrations in order only. Restore the missing rows or the database.`,
      );
    }
  }
  // Timestamps strictly after the newest recorded one, as Kysely orders history by timestamp.
  let last = Math.max(0, ...executed.map((row) => Date.parse(row.timestamp) || 0));
  const applied: string[] = [];
  for (const [name, migration] of pending) {
    try {
      await migration.up(db as Kysely<unknown>);
      last = Math.max(Date.now(), last + 1);
      const timestamp = new Date(last).toISOString();
      await sql`insert into ${table} (${sql.ref('name')}, ${sql.ref('timestamp')}) values (${name}, ${timestamp})`.execute(
        db,
      );
    } catch (cause) {
      throw fail(cause, name);
    }
    applied.push(name);
  }
  return applied;
}

// The schema, the history table, the lock table and its row, each created if missing. Several
// processes may do this at once: `if not exists` can still fail in a race (PostgreSQL), so a failed
// create is ignored when the object exists afterwards.
async function ensureBookkeeping<DB>(db: Kysely<DB>, tables: RunnerTables): Promise<void> {
  const schema = tables.migrationTableSchema;
  if (schema !== undefined) {
    const exists = async (): Promise<boolean> =>
      (await db.introspection.getSchemas()).some((s) => s.name === schema);
    if (!(await exists())) {
      await createdOrExists(db.schema.createSchema(schema).ifNotExists().execute(), exists);
    }
  }
  const builder = schema === undefined ? db.schema : db.schema.withSchema(schema);
  const history = tableRef(tables, tables.migrationTableName);
  await createdOrExists(
    builder
      .createTable(tables.migrationTableName)
      .ifNotExists()
      .addColumn('name', 'varchar(255)', (col) => col.notNull().primaryKey())
      .addColumn('timestamp', 'varchar(255)', (col) => col.notNull())
      .execute(),
    () => tableExists(db, history),
  );
  const lockTable = tableRef(tables, tables.migrationLockTableName);
  await createdOrExists(
    builder
      .createTable(tables.migrationLockTableName)
      .ifNotExists()
      .addColumn('id', 'varchar(255)', (col) => col.notNull().primaryKey())
      .addColumn('is_locked', 'integer', (col) => col.notNull().defaultTo(0))
      .execute(),
    () => tableExists(db, lockTable),
  );
  const lockRowExists = async (): Promise<boolean> => {
    const { rows } =
      await sql`select ${sql.ref('id')} from ${lockTable} where ${sql.ref('id')} = ${LOCK_ROW_ID}`.execute(
        db,
      );
    return rows.length > 0;
  };
  if (!(await lockRowExists())) {
    await createdOrExists(
      sql`insert into ${lockTable} (${sql.ref('id')}, ${sql.ref('is_locked')}) values (${LOCK_ROW_ID}, 0)`.execute(
        db,
      ),
      lockRowExists,
    );
  }
}

async function createdOrExists(create: Promise<unknown>, exists: () => Promise<boolean>) {
  try {
    await create;
  } catch (error) {
    if (!(await exists())) throw error;
  }
}

async function tableExists<DB>(
  db: Kysely<DB>,
  table: ReturnType<typeof tableRef>,
): Promise<boolean> {
  try {
    await sql`select 1 from ${table} where 1 = 0`.execute(db);
    return true;
  } catch {
    return false;
  }
}

function tableRef(tables: RunnerTables, name: string) {
  return tables.migrationTableSchema === undefined
    ? sql.id(name)
    : sql.id(tables.migrationTableSchema, name);
}
