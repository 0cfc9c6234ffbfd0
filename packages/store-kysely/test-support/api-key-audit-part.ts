// The audit trail of key administration on a real database, over several connections: an entry
// is written in the same transaction as its change (a change whose entry the database refuses is
// rolled back whole and leaves no row), concurrent updates with and without a pinned revision
// leave exactly one entry per revision bump, and hostile actors, reasons and metadata are refused
// before any write or stored exactly as given.
import {
  type ApiKeyHasher,
  type ApiKeyManager,
  createApiKeyManager,
  createBcryptHasher,
} from '@coffer/api-keys';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyRecord, keyIdOf, T0 } from './api-key-record.js';
import type { DialectHarness, DialectStorage, TestDatabase } from './dialect-harness.js';
import { inParallel, openMany, pick } from './fixtures.js';

type AnyDb = Kysely<Record<string, Record<string, unknown>>>;

export function describeApiKeyAudit(h: DialectHarness): void {
  describe(`${h.name}: API key audit trail on ${h.handles} connections`, () => {
    let database: TestDatabase;
    let stores: DialectStorage[] = [];
    let hasher: ApiKeyHasher;
    const at = (i: number) => pick(stores, i).apiKeys;
    const managers: ApiKeyManager[] = [];
    const manager = (i: number) => pick(managers, i);
    const rows = async (where: { keyId?: string } = {}): Promise<number> => {
      const db = pick(stores, 0).db as unknown as AnyDb;
      let q = db.selectFrom('coffer_api_key_audit').select(sql<number>`count(*)`.as('n'));
      if (where.keyId !== undefined) q = q.where('key_id', '=', where.keyId);
      return Number((await q.executeTakeFirstOrThrow()).n);
    };

    beforeAll(async () => {
      database = await h.createDatabase('api_key_audit');
      stores = await openMany(database, h.handles);
      hasher = createBcryptHasher({ cost: 4, threads: 1 });
      for (const s of stores) managers.push(createApiKeyManager({ store: s.apiKeys, hasher }));
    });
    afterAll(async () => {
      await hasher?.close();
      for (const s of stores) await s.close();
      await database?.drop();
    });

    it('a change whose audit entry the database refuses is rolled back whole: no entry, no change', async () => {
      const keyId = keyIdOf(1);
      const entry = {
        id: '01J00000000000000000000001',
        at: T0,
        type: 'minted' as const,
        keyId,
        organizationId: 'org_1',
        actor: 'a',
        reason: null,
        requestId: null,
      };
      expect(await at(0).insertKey(apiKeyRecord(keyId), { audit: entry })).toBe(true);
      const before = await rows();
      // The table's own checks refuse these entries; the manager never builds them.
      const refused = [
        { ...entry, id: '01J00000000000000000000002', actor: 'x'.repeat(257) },
        { ...entry, id: '01J00000000000000000000003', actor: '' },
        { ...entry, id: 'short' },
        { ...entry, id: '01J00000000000000000000004', reason: 'r'.repeat(1001) },
      ];
      for (const bad of refused) {
        await expect(
          at(1).updateKey(keyId, 1, { killed: true }, { audit: bad }),
        ).rejects.toBeDefined();
        await expect(
          at(1).setKillSwitch({ scope: 'organization', organizationId: 'org_1' }, true, T0, {
            audit: bad,
          }),
        ).rejects.toBeDefined();
        await expect(
          at(2).insertKey(apiKeyRecord(keyIdOf(2)), { audit: { ...bad, keyId: keyIdOf(2) } }),
        ).rejects.toBeDefined();
      }
      const got = await at(0).getKey(keyId);
      expect(got?.killed).toBe(false);
      expect(got?.revision).toBe(1);
      expect(await at(0).getKey(keyIdOf(2))).toBeNull();
      expect(await at(0).getKillSwitch({ scope: 'organization', organizationId: 'org_1' })).toBe(
        false,
      );
      expect(await rows()).toBe(before);
      // The connections still work, and a good entry still goes through.
      expect(
        await at(1).updateKey(
          keyId,
          1,
          { killed: true },
          { audit: { ...entry, id: '01J00000000000000000000009', type: 'killed' } },
        ),
      ).toBe(true);
      expect(await rows()).toBe(before + 1);
    });

    it('20 concurrent updates pinned to one revision: one applies, the rest conflict; one entry', async () => {
      const m = await manager(0).mint({ organizationId: 'org_cas', env: 'live', name: 'cas' });
      const settled = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          manager(i).update(
            m.keyId,
            { metadata: { writer: i } },
            { actor: `writer-${i}`, expectedRevision: 1 },
          ),
        ),
      );
      const won = settled.filter((s) => s.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const s of settled) {
        if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'API_KEY_CONFLICT' });
      }
      const info = await manager(1).get(m.keyId);
      expect(info.revision).toBe(2);
      const entries = (await manager(2).audit({ keyId: m.keyId })).entries;
      expect(entries.map((e) => e.type)).toEqual(['updated', 'minted']);
      expect(entries[0]?.actor).toBe(`writer-${(info.metadata as { writer: number }).writer}`);
    });

    it('a storm of unpinned changes across connections: exactly one entry per revision bump', async () => {
      const m = await manager(0).mint({ organizationId: 'org_storm', env: 'live', name: 'storm' });
      let applied = 0;
      let conflicts = 0;
      await inParallel(60, h.handles * 2, async (i) => {
        try {
          if (i % 3 === 0) await manager(i).kill(m.keyId, { actor: `a${i}` });
          else if (i % 3 === 1) await manager(i).unkill(m.keyId, { actor: `a${i}` });
          else await manager(i).update(m.keyId, { name: `n${i}` }, { actor: `a${i}` });
          applied++;
        } catch (error) {
          expect(error).toMatchObject({ code: 'API_KEY_CONFLICT' });
          conflicts++;
        }
      });
      expect(applied + conflicts).toBe(60);
      const revision = (await manager(1).get(m.keyId)).revision;
      // Every revision after the first is one change, and every change has its one entry.
      expect(await rows({ keyId: m.keyId })).toBe(revision);
      const entries: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await manager(2).audit({
          keyId: m.keyId,
          limit: 7,
          ...(after === undefined ? {} : { after }),
        });
        entries.push(...page.entries.map((e) => e.id));
        if (page.next === null) break;
        after = page.next;
      }
      expect(entries).toHaveLength(revision);
      expect(new Set(entries).size).toBe(revision);
    });

    it('hostile actors and reasons are refused before any statement; odd but valid ones are stored as given', async () => {
      const m = await manager(0).mint({ organizationId: 'org_text', env: 'live', name: 'text' });
      const before = await rows();
      const hostile: unknown[] = [
        '',
        '   ',
        'line\nbreak',
        'tab\there',
        'nul\u0000byte',
        'esc\u001b[31mred',
        'bidi\u202eevil',
        'sep\u2028line',
        'lone\ud800surrogate',
        'zero\u200bwidth',
        42,
        null,
        { toString: () => 'ops' },
        ['ops'],
      ];
      for (const actor of hostile) {
        await expect(manager(1).kill(m.keyId, { actor: actor as string })).rejects.toMatchObject({
          code: 'INVALID_INPUT',
          details: { parameter: 'actor' },
        });
        await expect(
          manager(1).kill(m.keyId, { actor: 'ok', reason: actor as string }),
        ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { parameter: 'reason' } });
      }
      await expect(manager(1).kill(m.keyId, { actor: 'x'.repeat(257) })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        details: { parameter: 'actor' },
      });
      await expect(
        manager(1).kill(m.keyId, { actor: 'ok', reason: 'r'.repeat(1001) }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { parameter: 'reason' } });
      await expect(
        manager(1).kill(m.keyId, { actor: 'ok', requestId: 'q'.repeat(201) }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { parameter: 'requestId' } });
      expect(await rows()).toBe(before);
      expect((await manager(0).get(m.keyId)).killed).toBe(false);
      const odd = {
        actor: `'; drop table coffer_api_key; -- ü ✓ 日本 🦊 ${'é'.repeat(200)}`.slice(0, 256),
        reason: `"quoted" \\backslash\\ %_like_ ${'🦊'.repeat(400)}`.slice(0, 1000),
        requestId: 'req_🦊_1',
      };
      await manager(1).kill(m.keyId, odd);
      const [entry] = (await manager(2).audit({ keyId: m.keyId, limit: 1 })).entries;
      expect(entry).toMatchObject({ type: 'killed', ...odd });
    });

    it('metadata: odd JSON round-trips through the database; over the cap, not JSON or holding NUL is INVALID_INPUT with nothing written', async () => {
      const m = await manager(0).mint({ organizationId: 'org_meta', env: 'live', name: 'meta' });
      const odd = {
        'quote"s': 'it\'s \\ "fine"',
        unicode: 'ü ✓ 日本 🦊 \u202e',
        numbers: [0, -1, 1.5, 1e21, -0.000001, Number.MAX_SAFE_INTEGER],
        nested: { a: { b: { c: [[], {}, null, true, false] } } },
        ['__proto__']: 'own key',
        '': 'empty key',
      };
      const info = await manager(1).update(m.keyId, { metadata: odd }, { actor: 'meta' });
      expect(info.metadata).toEqual(odd);
      expect((await manager(2).get(m.keyId)).metadata).toEqual(odd);
      // Exactly at the cap is fine; one byte over is not.
      const fill = (bytes: number) => ({ v: 'x'.repeat(bytes - '{"v":""}'.length) });
      await manager(1).update(m.keyId, { metadata: fill(4096) }, { actor: 'meta' });
      expect(((await manager(2).get(m.keyId)).metadata.v as string).length).toBe(4088);
      const revision = (await manager(2).get(m.keyId)).revision;
      const before = await rows();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const bad: unknown[] = [
        fill(4097),
        { multibyte: '🦊'.repeat(1100) },
        { nul: 'a\u0000b' },
        { 'k\u0000': 1 },
        { lone: '\udc00' },
        { nan: Number.NaN },
        { inf: Number.POSITIVE_INFINITY },
        { big: 10n },
        { fn: () => 1 },
        { undef: undefined },
        { date: new Date(0) },
        { map: new Map() },
        cyclic,
        [],
        'text',
        null,
        Object.create({ inherited: true }),
      ];
      for (const metadata of bad) {
        await expect(
          manager(1).update(m.keyId, { metadata: metadata as never }, { actor: 'meta' }),
        ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { parameter: 'metadata' } });
      }
      expect((await manager(2).get(m.keyId)).revision).toBe(revision);
      expect(await rows()).toBe(before);
    });
  });
}
