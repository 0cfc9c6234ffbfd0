// docs/stores.md promises that pruned versions and rewrapped-away values leave both the database
// file and its -wal, as destroyed ones do: the store checkpoints (TRUNCATE) after a rotation that
// pruned and after each rewrap batch. Old page images in the WAL would otherwise keep a pruned
// version's ciphertext, or a value's data key wrapped under a retired KEK, until SQLite happened
// to reuse those frames.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createVault } from '@coffer/vault';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'coffer-sqlite-wal-prune-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kek1 = generateKek().expose();
const provider1 = createLocalKeyProvider(
  Keyring.fromKeys([{ id: 1, key: kek1, status: 'primary' }]),
);
const provider2 = createLocalKeyProvider(
  Keyring.fromKeys([
    { id: 2, key: generateKek().expose(), status: 'primary' },
    { id: 1, key: kek1, status: 'active' },
  ]),
);

function fileBytes(path: string): Buffer {
  return existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
}

/** Which of the database's files still hold `needle`. */
function holders(filename: string, needle: Uint8Array): string[] {
  return [filename, `${filename}-wal`].filter((f) => fileBytes(f).includes(Buffer.from(needle)));
}

describe('SQLite: erased versions leave the -wal file', () => {
  it('after a rotation prunes old versions', async () => {
    const filename = join(dir, 'prune.db');
    const storage = createSqliteStore({ filename });
    try {
      await storage.migrate();
      const vault = createVault({
        store: storage.vault,
        envelope: createEnvelope({ provider: provider1 }),
        maxVersions: 0,
      });
      const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-v1-0123456789' });
      const pruned: Uint8Array[] = [];
      for (let v = 2; v <= 4; v++) {
        const row = await storage.vault.getVersion(id, v - 1);
        if (row === undefined) throw new Error('missing version row');
        pruned.push(row.sealed);
        // Before the rotation the version is live, so it is in the files (the WAL, here).
        expect(holders(filename, row.sealed)).not.toEqual([]);
        await vault.rotate(id, `value-v${v}-0123456789`);
      }
      expect((await storage.vault.listVersions(id)).map((r) => r.version)).toEqual([4]);
      for (const sealed of pruned) expect(holders(filename, sealed)).toEqual([]);
      expect(fileBytes(`${filename}-wal`).length).toBe(0);
    } finally {
      await storage.close();
    }
  });

  it('after a rewrap batch replaces wrapped data keys', async () => {
    const filename = join(dir, 'rewrap.db');
    const storage = createSqliteStore({ filename });
    try {
      await storage.migrate();
      const before = createVault({
        store: storage.vault,
        envelope: createEnvelope({ provider: provider1 }),
      });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await before.put({ kind: 'k', owner: 'o', value: `value-${i}-0123456789` })).id);
      }
      // The header and the data key wrapped under KEK "1": what a rewrap replaces (the payload
      // after it stays the same bytes).
      const wrappedUnder1: Uint8Array[] = [];
      for (const id of ids) {
        const row = await storage.vault.getVersion(id, 1);
        if (row === undefined) throw new Error('missing version row');
        wrappedUnder1.push(row.sealed.slice(0, 3 + 1 + 2 + 72));
      }
      for (const w of wrappedUnder1) expect(holders(filename, w)).not.toEqual([]);
      const after = createVault({
        store: storage.vault,
        envelope: createEnvelope({ provider: provider2 }),
        provider: provider2,
      });
      expect(await after.rewrapAll({ batchSize: 2 })).toMatchObject({ rewrapped: 5, failed: [] });
      for (const w of wrappedUnder1) expect(holders(filename, w)).toEqual([]);
      expect(fileBytes(`${filename}-wal`).length).toBe(0);
    } finally {
      await storage.close();
    }
  });
});
