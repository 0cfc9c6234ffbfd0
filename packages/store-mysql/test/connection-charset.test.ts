// A host's own pool in another character set than utf8mb4: mysql2 and the server re-encode text
// without an error, so 'org_😀' and 'org_😁' were both stored (and looked up) as the same mangled
// owner — one tenant reading another's entries — and labels and metadata were damaged. The store
// refuses such a session before its first statement, reads and writes alike, and writes nothing.
import { isCofferError } from '@coffer/core';
import { createVault } from '@coffer/vault';
import { Kysely, MysqlDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope1 } from '../../store-kysely/test-support/fixtures.js';
import { apiKeyRecord } from '../../store-kysely/test-support/index.js';
import { createMysqlStore, MysqlCharsetError, type MysqlStore } from '../src/index.js';
import { createTestMysqlDatabase, type TestMysqlDatabase } from './test-database.js';

let database: TestMysqlDatabase;
let storage: MysqlStore;

beforeAll(async () => {
  database = await createTestMysqlDatabase('my_charset');
  storage = createMysqlStore({ connectionString: database.url, poolSize: 2 });
  await storage.migrate();
});
afterAll(async () => {
  await storage?.close();
  await database?.drop();
});

async function entryCount(): Promise<number> {
  const r = await sql<{ n: number | string }>`
    select count(*) as n from coffer_vault_entries`.execute(storage.db);
  return Number(r.rows[0]?.n);
}

function hostPool(charset: string): Kysely<unknown> {
  return new Kysely<unknown>({
    dialect: new MysqlDialect({ pool: createPool({ uri: database.url, charset }) }),
  });
}

describe('MySQL / MariaDB: the connection must speak utf8mb4', () => {
  for (const [charset, reported] of [
    ['LATIN1_SWEDISH_CI', 'latin1'],
    ['UTF8_GENERAL_CI', 'utf8'],
  ] as const) {
    it(`a host pool in ${charset}: every vault and API key call is STORE_CHARSET_UNSUPPORTED, nothing written`, async () => {
      const db = hostPool(charset);
      try {
        const store = createMysqlStore({ db });
        const vault = createVault({ store: store.vault, envelope: envelope1 });
        const before = await entryCount();
        const refused = (error: unknown): boolean => {
          expect(error).toBeInstanceOf(MysqlCharsetError);
          expect(isCofferError(error, 'STORE_CHARSET_UNSUPPORTED')).toBe(true);
          const details = (error as MysqlCharsetError).details ?? {};
          expect(String(details.client)).toContain(reported);
          return true;
        };
        for (const owner of ['org_😀', 'org_😁', 'org_plain']) {
          await expect(
            vault.forOwner(owner).put({ kind: 'k', value: 'value-charset-0123456789' }),
          ).rejects.toSatisfy(refused);
        }
        await expect(
          vault.forOwner('org_😀').describe('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3'),
        ).rejects.toSatisfy(refused);
        await expect(vault.forOwner('org_😀').list()).rejects.toSatisfy(refused);
        await expect(
          store.apiKeys.insertKey(apiKeyRecord('0000000000000001', { organizationId: 'org_😀' })),
        ).rejects.toSatisfy(refused);
        expect(await entryCount()).toBe(before);
        // Still refused on the next call: the check is not a one-shot that lets later calls through.
        await expect(vault.forOwner('org_x').list()).rejects.toSatisfy(refused);
      } finally {
        await db.destroy();
      }
    });
  }

  it('a host pool in utf8mb4 works, and owners that differ only beyond the BMP stay apart', async () => {
    const db = hostPool('UTF8MB4_GENERAL_CI');
    try {
      const vault = createVault({ store: createMysqlStore({ db }).vault, envelope: envelope1 });
      const { id } = await vault
        .forOwner('org_😀')
        .put({ kind: 'k', label: '𝔘'.repeat(128), value: 'value-charset-0123456789' });
      expect(await vault.forOwner('org_😀').describe(id)).toMatchObject({
        owner: 'org_😀',
        label: '𝔘'.repeat(128),
      });
      await expect(vault.forOwner('org_😁').describe(id)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect((await vault.forOwner('org_😁').list()).items).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});
