// What only Bun runs: coffer's SQLite store on bun:sqlite (better-sqlite3 does not load in Bun), and
// the Express example.
import { Database, type Statement } from 'bun:sqlite';
import type { CheckGroup } from '../checks/check.ts';
import { expressExample } from './express-example.ts';
import { honoServerGroup } from './hono-server.ts';
import { sqliteStoreGroups } from './sqlite-kysely.ts';

export const bunExtras: readonly CheckGroup[] = [
  ...sqliteStoreGroups<Statement>('bun:sqlite', {
    open: (filename) => new Database(filename),
    returnsRows: (statement) => statement.columnNames.length > 0,
    // bun:sqlite already throws better-sqlite3's codes (SQLITE_BUSY, SQLITE_CONSTRAINT_UNIQUE, …).
    asDriverError: (error) => error,
    bindable: (value) => value,
  }),
  honoServerGroup('Bun.serve', async (fetch) => {
    const server = (globalThis as unknown as { Bun: BunServe }).Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch,
    });
    return { url: `http://127.0.0.1:${server.port}`, close: async () => server.stop(true) };
  }),
  expressExample,
];

interface BunServe {
  serve(options: {
    hostname: string;
    port: number;
    fetch: (request: Request) => Response | Promise<Response>;
  }): { readonly port: number; stop(closeActiveConnections: boolean): void };
}
