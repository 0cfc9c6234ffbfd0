// Owner conditions on a real database: a tenant's call on another tenant's id sends exactly the
// statements a call on a missing id sends (same SQL, same number of round trips), every one of them
// conditioned on the owner, and changes nothing; lists never cross owners; tenants writing at once
// on separate connections never touch each other's entries.
import {
  createVault,
  createVaultReader,
  type ScopedVault,
  type ScopedVaultReader,
} from '@coffer/vault';
import type { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectHarness, DialectStorage, TestDatabase } from './dialect-harness.js';
import { envelope1, openMany, pick, who } from './fixtures.js';

// Transaction control, and the once-per-store session set-up before a store's first statement
// (SQLite's pragma, MySQL's check of the session's character sets): not a statement of the call.
const CONTROL =
  /^\s*(begin|commit|rollback|pragma|start transaction|select @@character_set_client)\b/i;
const MISSING = '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3';

type Call = (v: ScopedVault, r: ScopedVaultReader, id: string) => Promise<unknown>;

const calls: Record<string, Call> = {
  describe: (v, _r, id) => v.describe(id),
  rotate: (v, _r, id) => v.rotate(id, 'value-stolen-0123456789'),
  'rotate (expectedVersion)': (v, _r, id) =>
    v.rotate(id, 'value-stolen-0123456789', { expectedVersion: 2 }),
  update: (v, _r, id) => v.update(id, { status: 'stolen', metadata: { stolen: true } }),
  delete: (v, _r, id) => v.delete(id),
  restore: (v, _r, id) => v.restore(id),
  destroy: (v, _r, id) => v.destroy(id),
  reveal: (_v, r, id) => r.reveal(id, who),
  'reveal (version)': (_v, r, id) => r.reveal(id, { ...who, version: 1 }),
  revealVersions: (_v, r, id) => r.revealVersions(id, who),
};

export function describeOwnerScoping(h: DialectHarness): void {
  describe(`${h.name}: owner conditions`, () => {
    let database: TestDatabase;
    let logged: DialectStorage;
    let stores: DialectStorage[] = [];
    const captured: CompiledQuery[] = [];

    beforeAll(async () => {
      database = await h.createDatabase('owner_scope');
      stores = await openMany(database, h.handles);
      logged = await database.open({ ownKysely: { log: (q) => captured.push(q) } });
    });
    afterAll(async () => {
      for (const s of [...stores, logged]) await s?.close();
      await database?.drop();
    });

    it("another owner's id sends the statements a missing id sends, each with the owner in it, and changes nothing", async () => {
      const writer = createVault({
        store: pick(stores, 0).vault,
        envelope: envelope1,
        maxVersions: 3,
      });
      const scoped = createVault({ store: logged.vault, envelope: envelope1 }).forOwner('org_a');
      const reader = createVaultReader({
        store: logged.vault,
        envelope: envelope1,
        audit: 'unaudited',
      }).forOwner('org_a');
      const theirs = writer.forOwner('org_b');
      const { id } = await theirs.put({
        kind: 'k',
        name: 'their-key',
        status: 'active',
        value: 'value-v1-0123456789',
      });
      await theirs.rotate(id, 'value-v2-0123456789');
      const observer = pick(stores, 1).vault;
      const snapshot = async () => ({
        entry: await observer.getEntry(id),
        rows: (await observer.listVersions(id)).map((r) => [r.version, r.kekId, [...r.sealed]]),
      });
      const before = await snapshot();
      const statementsOf = async (target: string, call: Call) => {
        captured.length = 0;
        await expect(call(scoped, reader, target)).rejects.toMatchObject({
          code: 'NOT_FOUND',
          message: `No vault entry with id "${target}" exists (it may have been destroyed or purged).`,
        });
        return captured.filter((q) => !CONTROL.test(q.sql)).map((q) => q.sql);
      };
      for (const [name, call] of Object.entries(calls)) {
        const foreign = await statementsOf(id, call);
        const missing = await statementsOf(MISSING, call);
        expect(foreign, name).toEqual(missing);
        expect(foreign.length, name).toBeGreaterThan(0);
        for (const statement of foreign) expect(statement, name).toMatch(/\Wowner\W*\s*=/);
      }
      expect(await snapshot()).toEqual(before);
      // The owner's own calls through the same store reach it.
      const own = createVault({ store: logged.vault, envelope: envelope1 }).forOwner('org_b');
      expect((await own.describe(id)).version).toBe(2);
      expect((await own.findByName('their-key'))?.id).toBe(id);
      expect(
        await createVault({ store: logged.vault, envelope: envelope1 })
          .forOwner('org_a')
          .findByName('their-key'),
      ).toBeUndefined();
    });

    it('lists hold only the owner’s rows, page after page, deleted ones included on request', async () => {
      const vaults = stores.map((s) => createVault({ store: s.vault, envelope: envelope1 }));
      const owners = ['org_list_1', 'org_list_2', 'org_list_3'];
      const mine = new Map<string, string[]>(owners.map((o) => [o, []]));
      for (let i = 0; i < 30; i++) {
        const owner = owners[i % 3] ?? '';
        const { id } = await pick(vaults, i)
          .forOwner(owner)
          .put({
            kind: i % 2 ? 'a' : 'b',
            value: `value-list-${i}-0123456789`,
          });
        if (i % 7 === 0)
          await pick(vaults, i + 1)
            .forOwner(owner)
            .delete(id);
        mine.get(owner)?.push(id);
      }
      for (const owner of owners) {
        const scoped = pick(vaults, owner.length).forOwner(owner);
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 20; pages++) {
          const page = await scoped.list({
            limit: 3,
            includeDeleted: true,
            ...(cursor === undefined ? {} : { cursor }),
          });
          for (const e of page.items) expect(e.owner).toBe(owner);
          seen.push(...page.items.map((e) => e.id));
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        expect(seen).toEqual([...(mine.get(owner) ?? [])].sort());
        expect(
          (await scoped.list({ kind: 'a', limit: 100 })).items.every(
            (e) => e.kind === 'a' && e.owner === owner,
          ),
        ).toBe(true);
      }
    });

    it("tenants writing at once on separate connections never touch each other's entries", async () => {
      const vaults = stores.map((s) =>
        createVault({ store: s.vault, envelope: envelope1, maxVersions: 50 }),
      );
      const victims = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          pick(vaults, i)
            .forOwner('org_victim')
            .put({ kind: 'k', name: `victim-${i}`, value: `value-victim-${i}-0123456789` }),
        ),
      );
      const attacker = (i: number) => pick(vaults, i).forOwner('org_attacker');
      const victim = (i: number) => pick(vaults, i + 1).forOwner('org_victim');
      const attempts: Promise<unknown>[] = [];
      const rotations: Promise<unknown>[] = [];
      for (const [i, { id }] of victims.entries()) {
        for (let round = 0; round < 4; round++) {
          attempts.push(
            attacker(i + round).rotate(id, 'value-attacker-0123456789'),
            attacker(i + round).update(id, { status: 'owned' }),
            attacker(i + round).delete(id),
            attacker(i + round).destroy(id),
          );
          rotations.push(victim(i + round).rotate(id, `value-victim-${i}-r${round}-0123456789`));
        }
      }
      const settled = await Promise.allSettled(attempts);
      for (const s of settled) {
        expect(s.status).toBe('rejected');
        if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'NOT_FOUND' });
      }
      await Promise.all(rotations);
      const reader = createVaultReader({
        store: pick(stores, 0).vault,
        envelope: envelope1,
        audit: 'unaudited',
      }).forOwner('org_victim');
      for (const [i, { id }] of victims.entries()) {
        const info = await victim(i).describe(id);
        expect(info).toMatchObject({ version: 5, status: null, revision: 1, deletedAt: null });
        const values = (await reader.revealVersions(id, who)).map((v) => v.value.expose());
        expect(values.every((v) => v.startsWith(`value-victim-${i}`))).toBe(true);
        expect(values).toHaveLength(5);
      }
    });
  });
}
