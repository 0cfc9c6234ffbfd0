// The API key store's published conformance suite against real SQLite: a WAL file (raw dump = the
// database, -wal and -shm files' bytes; the second handle is another connection to the same file),
// and `:memory:` on your own Kysely (raw dump = the serialized database image), prefix "app_".
import { runApiKeyStoreConformance } from '@coffer/api-keys/testing';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, it } from 'vitest';
import { configureSqliteDatabase, createSqliteStore, type SqliteStore } from '../src/index.js';
import { databaseFileBytes } from './file-bytes.js';
import { makeTempDir } from './temp-dir.js';

const dir = makeTempDir('api-key-conformance');
afterAll(() => dir.remove());
let n = 0;

runApiKeyStoreConformance(
  { describe, it },
  {
    name: 'sqlite file (WAL), second handle = second connection',
    createStore: async () => {
      const filename = dir.file(`api-keys-${++n}.db`);
      const storage = createSqliteStore({ filename });
      await storage.migrate();
      const others: SqliteStore[] = [];
      return {
        store: storage.apiKeys,
        rawDump: async () => databaseFileBytes(filename),
        openSecondHandle: async () => {
          const other = createSqliteStore({ filename });
          others.push(other);
          return other.apiKeys;
        },
        close: async () => {
          for (const other of others) await other.close();
          await storage.close();
        },
      };
    },
  },
);

runApiKeyStoreConformance(
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
        store: storage.apiKeys,
        rawDump: async () => new Uint8Array(database.serialize()),
        close: () => db.destroy(),
      };
    },
  },
);
