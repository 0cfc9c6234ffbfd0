// A textual dump of tables, the way an attacker holding a backup would see them: pg_dump's
// data-only output when pg_dump is installed, else the COPY text form of every row produced by
// SQL (`select t::text`), which uses the same output functions (bytea as \x hex, jsonb as text).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface TableDump {
  text: string;
  via: 'pg_dump' | 'sql';
}

async function viaPgDump(url: string, tables: readonly string[]): Promise<string | undefined> {
  try {
    const args = ['--data-only', '--no-owner', ...tables.map((t) => `--table=${t}`), url];
    const { stdout } = await run('pg_dump', args, { maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    // A server newer than the local pg_dump refuses to dump; fall back to SQL.
    if (/server version mismatch/i.test(String((error as { stderr?: unknown }).stderr))) {
      return undefined;
    }
    throw error;
  }
}

async function viaSql(url: string, tables: readonly string[]): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const parts: string[] = [];
    for (const table of tables) {
      const result = await client.query<{ row: string }>(`select t::text as row from ${table} t`);
      for (const r of result.rows) parts.push(r.row);
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

/** Dumps the rows of `tables` (qualified names such as `public.coffer_vault_entries`). */
export async function dumpTables(
  url: string,
  tables: readonly string[],
  options: { forceSql?: boolean } = {},
): Promise<TableDump> {
  if (options.forceSql !== true) {
    const text = await viaPgDump(url, tables);
    if (text !== undefined) return { text, via: 'pg_dump' };
  }
  return { text: await viaSql(url, tables), via: 'sql' };
}
