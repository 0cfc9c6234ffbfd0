// Many connections (separate pools or handles, as separate processes would have) writing one entry
// at once: check-and-set writes lose nothing and never duplicate a version.
import { isCofferError, randomBytes, toHex } from '@coffer/core';
import { createVault, createVaultReader } from '@coffer/vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectHarness, DialectStorage, TestDatabase } from './dialect-harness.js';
import { envelope1, envelope2, keys2, openMany, pick, who } from './fixtures.js';

export function describeConcurrency(h: DialectHarness): void {
  describe(`${h.name}: concurrent writers on ${h.handles} connections`, () => {
    let database: TestDatabase;
    let stores: DialectStorage[] = [];
    const vaultAt = (i: number) => pick(stores, i).vault;

    beforeAll(async () => {
      database = await h.createDatabase('concurrency');
      stores = await openMany(database, h.handles);
    });
    afterAll(async () => {
      for (const s of stores) await s.close();
      await database?.drop();
    });

    it('300 concurrent rotations of one id (each retried until it wins): versions 2..301, each once, none lost', async () => {
      const vault = createVault({ store: vaultAt(0), envelope: envelope1 });
      const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-initial-0000' });
      const first = await vaultAt(0).getVersion(id, 1);
      if (first === undefined) throw new Error('missing v1');
      const n = 300;
      const written = new Map<number, string>();
      let conflicts = 0;
      await Promise.all(
        Array.from({ length: n }, async (_, worker) => {
          const store = vaultAt(worker);
          const sealed = randomBytes(64);
          let attempts = 0;
          for (;;) {
            const entry = await store.getEntry(id);
            if (entry === undefined) throw new Error('entry vanished');
            const version = entry.version + 1;
            const won = await store.rotate({
              id,
              expectedVersion: entry.version,
              next: { ...first, version, sealed, createdAt: 1_750_000_000_000 + worker },
              preview: `w${worker}`,
              keepVersions: 10_000,
            });
            if (won) {
              expect(written.has(version)).toBe(false);
              written.set(version, toHex(sealed));
              return;
            }
            conflicts++;
            // A polite client backs off (exponentially, with jitter) before retrying a lost
            // check-and-set; without it 300 clients on one row spend their time colliding.
            const ceiling = Math.min(256, 2 ** Math.min(8, ++attempts));
            await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
          }
        }),
      );
      expect([...written.keys()].sort((a, b) => a - b)).toEqual(
        Array.from({ length: n }, (_, i) => i + 2),
      );
      expect(conflicts).toBeGreaterThan(0); // the race was real
      expect((await vaultAt(1).getEntry(id))?.version).toBe(n + 1);
      const rows = await vaultAt(1).listVersions(id);
      expect(rows.map((r) => r.version)).toEqual(
        Array.from({ length: n + 1 }, (_, i) => n + 1 - i),
      );
      for (const row of rows) {
        if (row.version > 1) expect(toHex(row.sealed)).toBe(written.get(row.version));
      }
      // The random bytes above are not sealed values; keep them out of the rewrap test below.
      expect(await vaultAt(1).destroyEntry(id)).toBe(true);
    });

    it('300 concurrent vault.rotate calls across connections: every success has its own version and value', async () => {
      const vaults = stores.map((s) =>
        createVault({ store: s.vault, envelope: envelope1, maxVersions: 100 }),
      );
      const reader = createVaultReader({
        store: vaultAt(1),
        envelope: envelope1,
        audit: 'unaudited',
      });
      const { id } = await pick(vaults, 0).put({
        kind: 'k',
        owner: 'o',
        value: 'value-initial-0000',
      });
      const settled = await Promise.allSettled(
        Array.from({ length: 300 }, (_, i) =>
          pick(vaults, i).rotate(id, `value-rotation-${i}-0123456789`),
        ),
      );
      const wins = new Map<number, string>();
      settled.forEach((s, i) => {
        if (s.status === 'fulfilled') {
          expect(wins.has(s.value.version)).toBe(false);
          wins.set(s.value.version, `value-rotation-${i}-0123456789`);
        } else {
          expect(isCofferError(s.reason, 'VERSION_CONFLICT'), String(s.reason)).toBe(true);
        }
      });
      expect(wins.size).toBeGreaterThan(0);
      expect([...wins.keys()].sort((a, b) => a - b)).toEqual(
        Array.from({ length: wins.size }, (_, i) => i + 2),
      );
      expect((await reader.reveal(id, who)).expose()).toBe(wins.get(wins.size + 1));
      const retained = await reader.revealVersions(id, who);
      expect(retained.length).toBe(Math.min(101, wins.size + 1));
      for (const v of retained) {
        if (v.version > 1) expect(v.value.expose()).toBe(wins.get(v.version));
      }
    });

    it('reveals on one connection while another rotates (keeping no earlier version) always open the current value', async () => {
      const vault = createVault({ store: vaultAt(0), envelope: envelope1, maxVersions: 0 });
      const reader = createVaultReader({
        store: vaultAt(1),
        envelope: envelope1,
        audit: 'unaudited',
      });
      const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-race-0-0123456789' });
      const written = new Set(['value-race-0-0123456789']);
      let rotating = true;
      const rotations = (async () => {
        for (let i = 1; i <= 40; i++) {
          const value = `value-race-${i}-0123456789`;
          written.add(value);
          await vault.rotate(id, value);
        }
        rotating = false;
      })();
      let reveals = 0;
      const readers = Array.from({ length: 4 }, async () => {
        while (rotating) {
          expect(written.has((await reader.reveal(id, who)).expose())).toBe(true);
          reveals++;
        }
      });
      await Promise.all([rotations, ...readers]);
      expect(reveals).toBeGreaterThan(0);
    });

    it('200 concurrent puts across connections: 200 distinct ids, all readable', async () => {
      const refs = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          createVault({ store: vaultAt(i), envelope: envelope1 }).put({
            kind: 'k',
            owner: 'org_puts',
            value: `value-put-${i}-0123456789`,
          }),
        ),
      );
      expect(new Set(refs.map((r) => r.id)).size).toBe(200);
      const reader = createVaultReader({
        store: vaultAt(1),
        envelope: envelope1,
        audit: 'unaudited',
      });
      const values = await Promise.all(refs.map((r) => reader.reveal(r.id, who)));
      expect(values.map((v) => v.expose())).toEqual(
        refs.map((_, i) => `value-put-${i}-0123456789`),
      );
    });

    it('rewrapAll on one connection while the others rotate: every row ends on the primary KEK and opens', async () => {
      const before = createVault({ store: vaultAt(0), envelope: envelope1 });
      const ids: string[] = [];
      for (let i = 0; i < 150; i++) {
        const { id } = await before.put({
          kind: 'k',
          owner: 'org_rw',
          value: `value-rw-${i}-0123456789`,
        });
        ids.push(id);
      }
      const job = createVault({
        store: vaultAt(0),
        envelope: envelope2,
        provider: keys2,
      }).rewrapAll({ batchSize: 20 });
      const latest = new Map<string, string>();
      await Promise.all(
        ids.map(async (id, i) => {
          if (i % 3 !== 0) return;
          const value = `value-rw-${i}-rotated-0123`;
          await createVault({ store: vaultAt(1 + (i % 3)), envelope: envelope2 }).rotate(id, value);
          latest.set(id, value);
        }),
      );
      const result = await job;
      expect(result.failed).toEqual([]);
      expect(await vaultAt(2).scanForRewrap({ notKekId: '2', limit: 10 })).toEqual([]);
      const reader = createVaultReader({
        store: vaultAt(3),
        envelope: envelope2,
        audit: 'unaudited',
      });
      for (const [i, id] of ids.entries()) {
        expect((await reader.reveal(id, who)).expose()).toBe(
          latest.get(id) ?? `value-rw-${i}-0123456789`,
        );
      }
    });
  });
}
