// The vault's published conformance suite against a real PostgreSQL: one database for this file,
// a fresh schema per case (dropped after it), raw dump = pg_dump of the case's tables (or their
// COPY text form when pg_dump is missing).
import { runVaultStoreConformance } from '@coffer/vault/testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { createPostgresStore } from '../src/index.js';
import { dumpTables } from './dump-tables.js';

let database: TestDatabase;
let db: Kysely<unknown>;
let n = 0;

beforeAll(async () => {
  database = await createTestDatabase('pg_vault_conformance');
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
  runVaultStoreConformance(
    { describe, it },
    {
      name: variant.name,
      createStore: async () => {
        const schema = `conf_${++n}`;
        const storage = createPostgresStore({
          db,
          schema,
          ...(variant.prefix === undefined ? {} : { tablePrefix: variant.prefix }),
        });
        await storage.migrate();
        const p = variant.prefix ?? 'coffer_';
        return {
          store: storage.vault,
          rawDump: async () =>
            (
              await dumpTables(database.url, [
                `${schema}.${p}vault_entries`,
                `${schema}.${p}vault_versions`,
              ])
            ).text,
          close: async () => {
            await sql.raw(`drop schema "${schema}" cascade`).execute(db);
          },
        };
      },
    },
  );
}
