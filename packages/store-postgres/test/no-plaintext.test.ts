// Plaintext never reaches the database: after puts, rotations, deletes and a rewrap, a dump of
// coffer's tables (pg_dump, and the COPY text form produced by SQL for servers without pg_dump)
// holds no value, nor its hex or base64.
import { spawnSync } from 'node:child_process';
import { toHex, utf8Encode } from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createVault } from '@coffer/vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { createPostgresStore } from '../src/index.js';
import { dumpTables } from './dump-tables.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('pg_no_plaintext');
});
afterAll(async () => {
  await database?.drop();
});

function forms(secret: string): string[] {
  const bytes = utf8Encode(secret);
  return [
    secret,
    toHex(bytes),
    Buffer.from(bytes).toString('base64'),
    Buffer.from(bytes).toString('base64url'),
    secret.slice(0, 16),
  ];
}

describe('no plaintext in a PostgreSQL dump', () => {
  it('holds across writes from two pools, in pg_dump output and in the COPY text form', async () => {
    const one = createPostgresStore({ connectionString: database.url, poolSize: 4 });
    const two = createPostgresStore({ connectionString: database.url, poolSize: 4 });
    await one.migrate();
    const k1 = generateKek().expose();
    const keys1 = createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: k1, status: 'primary' }]));
    const keys2 = createLocalKeyProvider(
      Keyring.fromKeys([
        { id: 2, key: generateKek().expose(), status: 'primary' },
        { id: 1, key: k1, status: 'active' },
      ]),
    );
    const v1 = createVault({
      store: one.vault,
      envelope: createEnvelope({ provider: keys1 }),
      maxVersions: 3,
    });
    const v2 = createVault({
      store: two.vault,
      envelope: createEnvelope({ provider: keys1 }),
      maxVersions: 3,
    });
    const secrets: string[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const secret = `sk_live_MARKER${i.toString().padStart(3, '0')}_9f8e7d6c5b4a3928`;
        const rotated = `${secret}_rotated`;
        secrets.push(secret, rotated);
        const vault = i % 2 ? v1 : v2;
        const { id } = await vault.put({
          kind: 'k',
          owner: `org_${i}`,
          label: 'visible-label',
          value: secret,
        });
        await vault.rotate(id, rotated);
        if (i % 5 === 0) await vault.delete(id);
      }),
    );
    await createVault({
      store: one.vault,
      envelope: createEnvelope({ provider: keys2 }),
      provider: keys2,
    }).rewrapAll();
    await one.close();
    await two.close();

    const tables = ['public.coffer_vault_entries', 'public.coffer_vault_versions'];
    const viaPgDump = await dumpTables(database.url, tables);
    const viaSql = await dumpTables(database.url, tables, { forceSql: true });
    expect(viaSql.via).toBe('sql');
    // Where pg_dump is installed, the first dump really came from it.
    const hasPgDump = spawnSync('pg_dump', ['--version']).status === 0;
    expect(viaPgDump.via).toBe(hasPgDump ? 'pg_dump' : 'sql');
    for (const dump of [viaPgDump, viaSql]) {
      // The dump is real: it holds the non-secret metadata and the sealed bytes (bytea hex).
      expect(dump.text).toContain('visible-label');
      expect(dump.text).toContain('org_39');
      expect(dump.text).toMatch(/\\\\?x01[0-9a-f]{100,}/);
      for (const secret of secrets) {
        for (const form of forms(secret)) expect(dump.text).not.toContain(form);
      }
    }
  });
});
