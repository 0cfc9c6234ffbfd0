// Plaintext never reaches the database: after puts, rotations, deletes and a rewrap from two
// connections, every copy the dialect can make of coffer's tables (a dump tool's output, SQL, the
// files' bytes) holds no value, nor its hex or base64 — also once every connection is closed.
import { toHex, utf8Encode } from '@coffer/core';
import { createVault } from '@coffer/vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseCopy, DialectHarness, TestDatabase } from './dialect-harness.js';
import { envelope1, envelope2, keys2, openMany } from './fixtures.js';

function forms(secret: string): string[] {
  const bytes = utf8Encode(secret);
  return [
    secret,
    toHex(bytes),
    toHex(bytes).toUpperCase(),
    Buffer.from(bytes).toString('base64'),
    Buffer.from(bytes).toString('base64url'),
    secret.slice(0, 16),
  ];
}

function contains(copy: DatabaseCopy, needle: string): boolean {
  if (typeof copy.data === 'string') return copy.data.includes(needle);
  return Buffer.from(copy.data.buffer, copy.data.byteOffset, copy.data.byteLength).includes(
    Buffer.from(needle),
  );
}

export function describeNoPlaintext(h: DialectHarness): void {
  describe(`${h.name}: no plaintext in a copy of the database`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await h.createDatabase('no_plaintext');
    });
    afterAll(async () => {
      await database?.drop();
    });

    it('holds across writes from two connections, a rewrap, and after every connection closed', async () => {
      const [one, two] = await openMany(database, 2);
      if (one === undefined || two === undefined) throw new Error('stores');
      const v1 = createVault({ store: one.vault, envelope: envelope1, maxVersions: 3 });
      const v2 = createVault({ store: two.vault, envelope: envelope1, maxVersions: 3 });
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
      await createVault({ store: one.vault, envelope: envelope2, provider: keys2 }).rewrapAll();
      const check = async (): Promise<void> => {
        const copies = await database.copies('coffer_');
        expect(copies.length).toBeGreaterThan(0);
        for (const copy of copies) {
          // The copy is real: it holds the clear-text metadata.
          expect(contains(copy, 'visible-label'), copy.via).toBe(true);
          expect(contains(copy, 'org_39'), copy.via).toBe(true);
          for (const secret of secrets) {
            for (const form of forms(secret)) expect(contains(copy, form), copy.via).toBe(false);
          }
        }
      };
      await check();
      await one.close();
      await two.close();
      await check();
    });
  });
}
