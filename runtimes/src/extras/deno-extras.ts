// What only Deno runs: coffer's SQLite store on node:sqlite (better-sqlite3 is a NAN addon, which
// Deno cannot load), and the Express example.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { CheckGroup } from '../checks/check.ts';
import { expressExample } from './express-example.ts';
import { honoServerGroup } from './hono-server.ts';
import { sqliteStoreGroups } from './sqlite-kysely.ts';

// node:sqlite reports `code: 'ERR_SQLITE_ERROR'` and the extended result code in `errcode`; the
// store recognises contention and duplicates by better-sqlite3's names.
const EXTENDED_CODES: Record<number, string> = {
  5: 'SQLITE_BUSY',
  261: 'SQLITE_BUSY_RECOVERY',
  517: 'SQLITE_BUSY_SNAPSHOT',
  773: 'SQLITE_BUSY_TIMEOUT',
  1555: 'SQLITE_CONSTRAINT_PRIMARYKEY',
  2067: 'SQLITE_CONSTRAINT_UNIQUE',
};

export const denoExtras: readonly CheckGroup[] = [
  ...sqliteStoreGroups<StatementSync>('node:sqlite (Deno)', {
    open: (filename) => new DatabaseSync(filename),
    returnsRows: (statement) => statement.columns().length > 0,
    asDriverError: (error) => {
      const errcode = (error as { errcode?: unknown } | null)?.errcode;
      const code = typeof errcode === 'number' ? EXTENDED_CODES[errcode] : undefined;
      if (code === undefined) return error;
      return Object.assign(new Error((error as Error).message, { cause: error }), { code });
    },
    bindable: (value) => (typeof value === 'boolean' ? Number(value) : value),
  }),
  honoServerGroup('Deno.serve', async (fetch) => {
    const { Deno } = globalThis as unknown as { Deno: DenoServe };
    const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: () => {} }, fetch);
    return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
  }),
  expressExample,
];

interface DenoServe {
  serve(
    options: { hostname: string; port: number; onListen: () => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { readonly addr: { readonly port: number }; shutdown(): Promise<void> };
}
