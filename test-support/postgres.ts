// Per-test-file PostgreSQL databases: each gets a fresh database with a unique name on the test
// server and drops it afterwards, so tests never assume an empty server or collide with each other.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  /** Connection string of the new database. */
  url: string;
  /** Its name. */
  name: string;
  /** Drops the database (terminating leftover connections). */
  drop(): Promise<void>;
}

/** The URL of the test server, as found by the global setup. */
export function testServerUrl(): string {
  const url = process.env.COFFER_TEST_PG_URL;
  if (url === undefined || url === '') {
    throw new Error('COFFER_TEST_PG_URL is not set: run the tests through vitest (global setup).');
  }
  return url;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates a uniquely named database on the test server. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const server = testServerUrl();
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  const name = `coffer_t_${safe}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(server, name),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      try {
        // Let connections a test just closed finish going away first: terminating a client that
        // is mid-shutdown (WITH (FORCE)) raises an unhandled 57P01 in the test's process.
        for (let attempt = 0; attempt < 30; attempt++) {
          try {
            await c.query(`drop database if exists "${name}"`);
            return;
          } catch (error) {
            if ((error as { code?: string }).code !== '55006') throw error; // 55006: in use
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
