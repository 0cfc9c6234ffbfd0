// Glue to the SQL stores: `--db` (or COFFER_DB_URL) names a PostgreSQL URL or a SQLite file, and
// this file opens the matching store. Adding a database (MySQL) is one branch in `dbTarget` and
// one in `openStore`. The drivers are imported when a database is opened, so commands that need
// none (keygen, pii hash, --help) start without loading them.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ApiKeyStore } from '@coffer/api-keys';
import type { MigrationReport } from '@coffer/store-kysely';
import type { VaultStore } from '@coffer/vault';
import type { Kysely } from 'kysely';
import type { Args, OptionSpecs } from './args.js';
import { databaseError, usageError } from './cli-error.js';
import { databaseFailure } from './db-errors.js';

/** The environment variable read when `--db` is not given. */
export const DB_VARIABLE = 'COFFER_DB_URL';

/** The options of every command that opens a database. */
export const DB_OPTIONS: OptionSpecs = {
  db: {
    type: 'string',
    value: 'url|file',
    description: `A PostgreSQL URL (postgres://user@host:5432/db; the password from PGPASSWORD or ~/.pgpass, never in --db) or a SQLite file. Default: ${DB_VARIABLE}.`,
  },
  'table-prefix': {
    type: 'string',
    value: 'prefix',
    description: "The prefix of coffer's tables, as given to the store (default coffer_).",
  },
  schema: {
    type: 'string',
    value: 'name',
    description: "PostgreSQL only: the schema of coffer's tables (default: the search_path).",
  },
};

/** Where `--db` points. `display` is safe to print: never a password or query parameters. */
export type DbTarget =
  | { readonly dialect: 'postgres'; readonly url: string; readonly display: string }
  | { readonly dialect: 'sqlite'; readonly file: string; readonly display: string };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const SECRET_PARAMS = ['password', 'sslpassword'];

function displayUrl(url: URL): string {
  const user = url.username === '' ? '' : `${url.username}${url.password === '' ? '' : ':***'}@`;
  return `${url.protocol}//${user}${url.host}${url.pathname}`;
}

/**
 * The database named by `--db`, else by `COFFER_DB_URL`.
 *
 * @throws {CliError} `USAGE` (exit 2) when neither is given, the URL is malformed or of an
 *   unsupported kind, or `--db` carries a password (argv is visible in `ps` and shell history).
 */
export function dbTarget(args: Args, env: Readonly<Record<string, string | undefined>>): DbTarget {
  const fromArgs = args.string('db');
  const text = fromArgs ?? env[DB_VARIABLE];
  const option = fromArgs === undefined ? DB_VARIABLE : '--db';
  if (text === undefined || text.trim() === '') {
    throw usageError(
      `No database: pass --db <postgres URL or SQLite file>, or set ${DB_VARIABLE}.`,
      { option: 'db' },
    );
  }
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw usageError(`${option} is not a valid PostgreSQL URL.`, { option: 'db' });
    }
    const secretParam = [...url.searchParams.keys()].some((p) =>
      SECRET_PARAMS.includes(p.toLowerCase()),
    );
    if (fromArgs !== undefined && (url.password !== '' || secretParam)) {
      throw usageError(
        `--db holds a password, which the command line exposes (ps, shell history). Put it in PGPASSWORD or ~/.pgpass, or pass the whole URL in ${DB_VARIABLE}.`,
        { option: 'db' },
      );
    }
    return { dialect: 'postgres', url: text, display: displayUrl(url) };
  }
  if (scheme === 'mysql' || scheme === 'mariadb') {
    throw usageError(
      'MySQL and MariaDB are not supported by this version of coffer (they come with @coffer/store-mysql).',
      { option: 'db' },
    );
  }
  if (scheme === 'file') {
    let file: string;
    try {
      file = fileURLToPath(text);
    } catch {
      throw usageError(`${option} is not a valid file: URL.`, { option: 'db' });
    }
    return { dialect: 'sqlite', file, display: file };
  }
  // A Windows drive letter (C:\…) looks like a scheme; anything else with "://" is a URL we lack.
  if (scheme !== undefined && scheme.length > 1 && text.slice(scheme.length + 1).startsWith('//')) {
    throw usageError(
      `${option} names an unsupported database: use a postgres:// URL or a SQLite file path.`,
      { option: 'db' },
    );
  }
  // Printed in messages as a file name, so it must not be a URL in disguise (` postgres://u:pw@…`
  // with a space, `socket:/…?password=…`): those are refused without repeating them.
  if (/^\s|\s$/.test(text) || /^\s*[A-Za-z][A-Za-z0-9+.-]+:/.test(text) || text.includes('://')) {
    throw usageError(
      `${option} is neither a postgres:// URL nor a SQLite file path (spaces around it, or an unknown scheme?). Not shown: it may hold a password.`,
      { option: 'db' },
    );
  }
  if (text === ':memory:') {
    throw usageError(`${option}: an in-memory SQLite database would be empty; name a file.`, {
      option: 'db',
    });
  }
  return { dialect: 'sqlite', file: text, display: text };
}

/** An open store and what the commands need of the database beside it. */
export interface OpenedDb {
  readonly target: DbTarget;
  readonly vault: VaultStore;
  readonly apiKeys: ApiKeyStore;
  /** Applies coffer's migrations (idempotent). */
  migrate(): Promise<MigrationReport>;
  /** How many stored versions are not under `kekId` (the work left for a rewrap). */
  countVersionsNotUnder(kekId: string): Promise<number>;
  close(): Promise<void>;
}

interface Store {
  readonly vault: VaultStore;
  readonly apiKeys: ApiKeyStore;
  readonly db: Kysely<unknown>;
  migrate(): Promise<MigrationReport>;
  close(): Promise<void>;
}

async function openStore(
  target: DbTarget,
  prefix: string | undefined,
  schema: string | undefined,
): Promise<Store> {
  const tablePrefix = prefix === undefined ? {} : { tablePrefix: prefix };
  switch (target.dialect) {
    case 'postgres': {
      const { createPostgresStore } = await import('@coffer/store-postgres');
      return createPostgresStore({
        connectionString: target.url,
        poolSize: 2,
        ...tablePrefix,
        ...(schema === undefined ? {} : { schema }),
      });
    }
    case 'sqlite': {
      if (schema !== undefined) {
        throw usageError('--schema applies to PostgreSQL only.', { option: 'schema' });
      }
      const { createSqliteStore } = await import('@coffer/store-sqlite');
      return createSqliteStore({ filename: target.file, ...tablePrefix });
    }
  }
}

/**
 * Opens the database of `--db`. A SQLite file must exist unless `create` is set (only `migrate`
 * creates one: a mistyped path must not become an empty database that "verifies"). A PostgreSQL
 * server is asked `select 1` at once, so an unreachable one fails here.
 *
 * @throws {CliError} `USAGE` (exit 2); `DATABASE_NOT_FOUND` or `DATABASE_FAILED` (exit 4).
 */
export async function openDb(
  args: Args,
  env: Readonly<Record<string, string | undefined>>,
  options: { create?: boolean } = {},
): Promise<OpenedDb> {
  const target = dbTarget(args, env);
  if (target.dialect === 'sqlite' && options.create !== true) {
    if (!existsSync(target.file) || !statSync(target.file).isFile()) {
      throw databaseError(
        'DATABASE_NOT_FOUND',
        `No SQLite database at ${target.display}. Check the path, or create it with: coffer migrate --db ${target.display}`,
      );
    }
  }
  const schema = args.string('schema');
  const store = await openStore(target, args.string('table-prefix'), schema);
  const { sql } = await import('kysely');
  const { tableNames } = await import('@coffer/store-kysely');
  try {
    if (target.dialect === 'postgres') await sql`select 1`.execute(store.db);
  } catch (error) {
    await store.close();
    // A failure before any query (an `sslkey=` file that is missing) has an errno code only.
    const code = (error as { code?: unknown } | null)?.code;
    if (
      databaseFailure(error) === undefined &&
      typeof code === 'string' &&
      /^E[A-Z]+$/.test(code)
    ) {
      throw databaseError(
        'DATABASE_FAILED',
        `Database error: the connection could not be set up (${code}); check the URL's parameters.`,
        { driverCode: code },
      );
    }
    throw error;
  }
  const prefix = args.string('table-prefix') ?? 'coffer_';
  const versions = tableNames(prefix).vaultVersions;
  const table = schema === undefined ? versions : `${schema}.${versions}`;
  return {
    target,
    vault: store.vault,
    apiKeys: store.apiKeys,
    migrate: () => store.migrate(),
    async countVersionsNotUnder(kekId) {
      const { rows } = await sql<{ n: number | string | bigint }>`
        select count(*) as n from ${sql.table(table)} where kek_id <> ${kekId}`.execute(store.db);
      return Number(rows[0]?.n ?? 0);
    },
    close: () => store.close(),
  };
}
