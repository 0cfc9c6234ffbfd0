// Check-and-set updates of status and metadata on a real database, with writers on separate
// connections (as separate processes would be): of many updates from one revision exactly one
// wins; writers retrying until they win lose nothing; and an update pinned to a version (a
// provider key marked invalid after a failed call) never lands on the version a concurrent
// rotation (a new key) put in its place.
import { isCofferError } from '@coffer/core';
import { createVault } from '@coffer/vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectHarness, DialectStorage, TestDatabase } from './dialect-harness.js';
import { envelope1, openMany, pick } from './fixtures.js';

export function describeEntryUpdates(h: DialectHarness): void {
  describe(`${h.name}: check-and-set updates on ${h.handles} connections`, () => {
    let database: TestDatabase;
    let stores: DialectStorage[] = [];
    const vaultAt = (i: number) =>
      createVault({ store: pick(stores, i).vault, envelope: envelope1 });

    beforeAll(async () => {
      database = await h.createDatabase('updates');
      stores = await openMany(database, h.handles);
    });
    afterAll(async () => {
      for (const s of stores) await s.close();
      await database?.drop();
    });

    it('40 concurrent updates from one revision: exactly one wins, the others REVISION_CONFLICT, nothing else changed', async () => {
      const { id } = await vaultAt(0)
        .forOwner('org_u')
        .put({ kind: 'k', status: 'active', value: 'value-0123456789' });
      const settled = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) =>
          vaultAt(i)
            .forOwner('org_u')
            .update(id, { status: `s${i}`, metadata: { writer: i } }, { expectedRevision: 1 }),
        ),
      );
      const won = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [i] : []));
      expect(won).toHaveLength(1);
      for (const s of settled) {
        if (s.status === 'rejected') {
          expect(isCofferError(s.reason, 'REVISION_CONFLICT'), String(s.reason)).toBe(true);
        }
      }
      const info = await vaultAt(1).describe(id);
      expect(info).toMatchObject({
        revision: 2,
        version: 1,
        status: `s${won[0]}`,
        metadata: { writer: won[0] },
      });
    });

    it('100 store writers each retrying until they win: revisions 2..101, each once, no update lost', async () => {
      const { id } = await vaultAt(0).put({ kind: 'k', owner: 'o', value: 'value-0123456789' });
      const wins = new Map<number, number>();
      let conflicts = 0;
      await Promise.all(
        Array.from({ length: 100 }, async (_, writer) => {
          const store = pick(stores, writer).vault;
          for (let attempts = 1; ; attempts++) {
            const e = await store.getEntry(id, { owner: 'o' });
            if (e === undefined) throw new Error('entry vanished');
            const won = await store.updateEntry({
              id,
              owner: 'o',
              expectedRevision: e.revision,
              changes: { metadata: { writer, revision: e.revision + 1 } },
            });
            if (won) {
              expect(wins.has(e.revision + 1)).toBe(false);
              wins.set(e.revision + 1, writer);
              return;
            }
            conflicts++;
            const ceiling = Math.min(128, 2 ** Math.min(7, attempts));
            await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
          }
        }),
      );
      expect([...wins.keys()].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 100 }, (_, i) => i + 2),
      );
      expect(new Set(wins.values()).size).toBe(100);
      expect(conflicts).toBeGreaterThan(0); // the race was real
      const last = await pick(stores, 1).vault.getEntry(id);
      expect(last?.revision).toBe(101);
      expect(last?.metadata).toEqual({ writer: wins.get(101), revision: 101 });
    });

    it('an update pinned to a version never lands on the version a concurrent rotation put in its place', async () => {
      // Issue 18's race: a failed call marks the key it used invalid (expectedVersion) while the
      // customer sets a new key (rotate, then status active pinned to the new version). Whatever
      // the interleaving, the new key never ends up invalid.
      const scoped = (i: number) => vaultAt(i).forOwner('org_keys');
      const { id } = await scoped(0).put({
        kind: 'provider-key',
        name: 'openai',
        status: 'active',
        value: 'sk-proj-v1-0123456789',
      });
      let landedOnOld = 0;
      let refused = 0;
      for (let round = 0; round < 40; round++) {
        const { version } = await scoped(round).describe(id);
        const set = (async () => {
          const next = await scoped(round + 1).rotate(id, `sk-proj-v${version + 1}-0123456789`);
          await scoped(round + 1).update(
            id,
            { status: 'active', metadata: { keyVersion: next.version } },
            { expectedVersion: next.version },
          );
        })();
        const reportFailure = scoped(round + 2)
          .update(
            id,
            { status: 'invalid', metadata: { failedVersion: version } },
            {
              expectedVersion: version,
            },
          )
          .then(
            () => void landedOnOld++,
            (error: unknown) => {
              expect(isCofferError(error, 'VERSION_CONFLICT'), String(error)).toBe(true);
              refused++;
            },
          );
        await Promise.all([set, reportFailure]);
        const info = await scoped(round + 3).describe(id);
        expect(info.version, `round ${round}`).toBe(version + 1);
        expect(info.status, `round ${round}`).toBe('active');
        expect(info.metadata, `round ${round}`).toEqual({ keyVersion: version + 1 });
      }
      expect(landedOnOld + refused).toBe(40);
    });

    it('store.updateEntry pinned to a version, racing store.rotate on another connection: never applies to the new version', async () => {
      const writer = vaultAt(0);
      for (let round = 0; round < 30; round++) {
        const { id } = await writer.put({
          kind: 'k',
          owner: 'o',
          status: 'active',
          value: `value-${round}-0123456789`,
        });
        const row = await pick(stores, 0).vault.getVersion(id, 1);
        if (row === undefined) throw new Error('no version 1');
        const [rotated, updated] = await Promise.all([
          pick(stores, round).vault.rotate({
            id,
            expectedVersion: 1,
            next: { ...row, version: 2, createdAt: 1_760_000_000_000 },
            preview: 'p',
            keepVersions: 1,
          }),
          pick(stores, round + 1).vault.updateEntry({
            id,
            expectedRevision: 1,
            expectedVersion: 1,
            changes: { status: 'invalid' },
          }),
        ]);
        expect(rotated).toBe(true);
        const e = await pick(stores, round + 2).vault.getEntry(id);
        expect(e?.version).toBe(2);
        // Applied only if it came first, while version 1 was current; a rotation keeps the revision.
        expect([e?.status, e?.revision]).toEqual(updated ? ['invalid', 2] : ['active', 1]);
      }
    });
  });
}
