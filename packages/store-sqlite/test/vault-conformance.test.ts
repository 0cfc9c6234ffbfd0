// The vault's published conformance suite against real SQLite: a WAL file (raw dump = the
// database, -wal and -shm files' bytes), `:memory:` on your own Kysely (raw dump = the serialized
// database image), and a custom table prefix.
import { runVaultStoreConformance } from '@coffer/vault/testing';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, it } from 'vitest';
import { configureSqliteDatabase, createSqliteStore } from '../src/index.js';
import { databaseFileBytes } from './file-bytes.js';
import { makeTempDir } from './temp-dir.js';

const dir = makeTempDir('conformance');
afterAll(() => dir.remove());
let n = 0;

runVaultStoreConformance(
  { describe, it },
  {
    name: 'sqlite file (WAL)',
    createStore: async () => {
      const filename = dir.file(`vault-${++n}.db`);
      const storage = createSqliteStore({ filename });
      await storage.migrate();
      return {
        store: storage.vault,
        rawDump: async () => databaseFileBytes(filename),
        close: () => storage.close(),
      };
    },
  },
);

runVaultStoreConformance(
  { describe, it },
  {
    name: 'sqlite :memory: on your own Kysely, prefix "app_"',
    createStore: async () => {
      const database = new Database(':memory:');
      configureSqliteDatabase(database);
      const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
      const storage = createSqliteStore({ db, tablePrefix: 'app_' });
      await storage.migrate();
      return {
        store: storage.vault,
        rawDump: async () => new Uint8Array(database.serialize()),
        close: () => db.destroy(),
      };
    },
  },
);
