// Plaintext never reaches the database: after puts, rotations, deletes and a rewrap, the bytes of
// the database file, its -wal and -shm hold no value, nor its hex or base64 — with several
// connections writing, and before and after a checkpoint.
import { toHex, utf8Encode } from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createVault } from '@coffer/vault';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../src/index.js';
import { databaseFileBytes } from './file-bytes.js';
import { makeTempDir } from './temp-dir.js';

const dir = makeTempDir('plaintext');
afterAll(() => dir.remove());

function forms(secret: string): Uint8Array[] {
  const bytes = utf8Encode(secret);
  return [
    bytes,
    utf8Encode(toHex(bytes)),
    utf8Encode(Buffer.from(bytes).toString('base64')),
    utf8Encode(Buffer.from(bytes).toString('base64url')),
    bytes.subarray(0, 16),
  ];
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(
    Buffer.from(needle),
  );
}

describe('no plaintext in the SQLite files', () => {
  it('holds across writes from two connections, WAL and checkpoint', async () => {
    const filename = dir.file('secrets.db');
    const one = createSqliteStore({ filename });
    const two = createSqliteStore({ filename });
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
    for (let i = 0; i < 40; i++) {
      const secret = `sk_live_MARKER${i.toString().padStart(3, '0')}_9f8e7d6c5b4a3928`;
      secrets.push(secret);
      const vault = i % 2 ? v1 : v2;
      const { id } = await vault.put({
        kind: 'k',
        owner: `org_${i}`,
        label: 'visible-label',
        value: secret,
      });
      const rotated = `${secret}_rotated`;
      secrets.push(rotated);
      await vault.rotate(id, rotated);
      if (i % 5 === 0) await vault.delete(id);
    }
    await createVault({
      store: one.vault,
      envelope: createEnvelope({ provider: keys2 }),
      provider: keys2,
    }).rewrapAll();

    const check = () => {
      const bytes = databaseFileBytes(filename);
      // The dump is real: it holds the non-secret metadata.
      expect(contains(bytes, utf8Encode('visible-label'))).toBe(true);
      expect(contains(bytes, utf8Encode('org_39'))).toBe(true);
      for (const secret of secrets) {
        for (const form of forms(secret)) expect(contains(bytes, form)).toBe(false);
      }
    };
    check(); // WAL not yet checkpointed
    await sql`pragma wal_checkpoint(truncate)`.execute(one.db);
    check();
    await one.close();
    await two.close();
    check();
  });
});
