// The store on the host application's own Kysely instance, with the host's plugins (CamelCasePlugin
// renames every column of every row it reads back): coffer's queries run without them, the host's
// own queries keep them.
import { createVault, createVaultReader } from '@coffer/vault';
import { CamelCasePlugin, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyRecord, keyIdOf } from './api-key-record.js';
import type { DialectHarness, DialectStorage, TestDatabase } from './dialect-harness.js';
import { envelope1, who } from './fixtures.js';
import { COFFER_MIGRATIONS } from './migrations-part.js';

export function describeOwnKysely(h: DialectHarness): void {
  describe(`${h.name}: on the host's own Kysely instance`, () => {
    let database: TestDatabase;
    let storage: DialectStorage;
    beforeAll(async () => {
      database = await h.createDatabase('own_kysely');
      storage = await database.open({
        tablePrefix: 'host_',
        ownKysely: { plugins: [new CamelCasePlugin()] },
      });
    });
    afterAll(async () => {
      await storage?.close();
      await database?.drop();
    });

    it('a host plugin (CamelCasePlugin) changes nothing coffer reads or writes', async () => {
      expect((await storage.migrate()).applied).toEqual(COFFER_MIGRATIONS);
      const vault = createVault({ store: storage.vault, envelope: envelope1, maxVersions: 1 });
      const reader = createVaultReader({
        store: storage.vault,
        envelope: envelope1,
        audit: 'unaudited',
      });
      const { id } = await vault.put({
        kind: 'k',
        owner: 'org_host',
        label: 'l',
        metadata: { someKey: 1 },
        value: 'value-host-0123456789',
      });
      await vault.rotate(id, 'value-host-2-0123456789');
      expect((await reader.reveal(id, who)).expose()).toBe('value-host-2-0123456789');
      expect((await reader.reveal(id, { ...who, version: 1 })).expose()).toBe(
        'value-host-0123456789',
      );
      expect((await vault.describe(id)).metadata).toEqual({ someKey: 1 });
      expect((await vault.list({ owner: 'org_host' })).items.map((e) => e.id)).toEqual([id]);
      const record = apiKeyRecord(keyIdOf(1), { organizationId: 'org_host' });
      expect(await storage.apiKeys.insertKey(record)).toBe(true);
      expect(await storage.apiKeys.getKey(keyIdOf(1))).toEqual(record);
      // The host's own queries still go through its plugin: camelCase in, snake_case in SQL.
      const db = storage.db as unknown as Kysely<{ hostVaultEntries: { ownerId: string } }>;
      expect(db.selectFrom('hostVaultEntries').select('ownerId').compile().sql).toContain(
        'owner_id',
      );
    });
  });
}
