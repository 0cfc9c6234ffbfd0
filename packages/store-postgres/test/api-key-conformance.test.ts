// The API key store's published conformance suite against a real PostgreSQL: one database for this
// file, a fresh schema per case (dropped after it), raw dump = pg_dump of the case's tables (or
// their COPY text form when pg_dump is missing), second handle = a store on its own pool.
import { runApiKeyStoreConformance } from '@coffer/api-keys/testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { dumpTables } from './dump-tables.js';

let database: TestDatabase;
let db: Kysely<unknown>;
let n = 0;

beforeAll(async () => {
  database = await createTestDatabase('pg_api_key_conformance');
  db = new Kysely<unknown>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: database.url, max: 20 }),
    }),
  });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

for (const variant of [
  { name: 'postgres (schema per case)', prefix: undefined },
  { name: 'postgres (schema per case, prefix "app_")', prefix: 'app_' },
] as const) {
  runApiKeyStoreConformance(
    { describe, it },
    {
      name: variant.name,
      createStore: async () => {
        const schema = `akconf_${++n}`;
        const prefix = variant.prefix === undefined ? {} : { tablePrefix: variant.prefix };
        const storage = createPostgresStore({ db, schema, ...prefix });
        await storage.migrate();
        const p = variant.prefix ?? 'coffer_';
        const others: PostgresStore[] = [];
        return {
          store: storage.apiKeys,
          rawDump: async () =>
            (await dumpTables(database.url, [`${schema}.${p}api_key`, `${schema}.${p}kill_switch`]))
              .text,
          openSecondHandle: async () => {
            const other = createPostgresStore({
              connectionString: database.url,
              poolSize: 6,
              schema,
              ...prefix,
            });
            others.push(other);
            return other.apiKeys;
          },
          close: async () => {
            for (const other of others) await other.close();
            await sql.raw(`drop schema "${schema}" cascade`).execute(db);
          },
        };
      },
    },
  );
}
