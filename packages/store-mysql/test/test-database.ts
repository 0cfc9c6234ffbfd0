// Per-test-file MySQL / MariaDB databases: each gets a fresh database with a unique name on the test
// server (COFFER_TEST_MYSQL_URL, else root@127.0.0.1:3306) and drops it afterwards. A server that
// does not answer fails the test that needs it, with what to do; nothing is skipped.
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';

export interface TestMysqlDatabase {
  /** Connection string of the new database. */
  url: string;
  /** Its name. */
  name: string;
  /** Drops the database. */
  drop(): Promise<void>;
}

const LOCAL_URL = 'mysql://root@127.0.0.1:3306/';

/** The URL of the test server. */
export function testMysqlServerUrl(): string {
  const configured = process.env.COFFER_TEST_MYSQL_URL;
  return configured !== undefined && configured !== '' ? configured : LOCAL_URL;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin(url: string) {
  try {
    return await createConnection({ uri: url, connectTimeout: 5000 });
  } catch (error) {
    throw new Error(
      `No MySQL / MariaDB server answers at ${new URL(url).host} (${String((error as { code?: unknown }).code)}). Start one (CI: .ci/run starts mariadbd) or set COFFER_TEST_MYSQL_URL.`,
    );
  }
}

/** Creates a uniquely named database (utf8mb4) on the test server. */
export async function createTestMysqlDatabase(label: string): Promise<TestMysqlDatabase> {
  const server = testMysqlServerUrl();
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  const name = `coffer_t_${safe}_${randomBytes(6).toString('hex')}`;
  const connection = await admin(server);
  try {
    await connection.query(`create database \`${name}\` character set utf8mb4`);
  } finally {
    await connection.end();
  }
  return {
    url: withDatabase(server, name),
    name,
    drop: async () => {
      const c = await admin(server);
      try {
        await c.query(`drop database if exists \`${name}\``);
      } finally {
        await c.end();
      }
    },
  };
}

/** Runs several `;`-terminated statements on `url`, as the command-line client would. */
export async function runMysqlScript(url: string, script: string): Promise<void> {
  const connection = await createConnection({ uri: url, multipleStatements: true });
  try {
    await connection.query(script);
  } finally {
    await connection.end();
  }
}
