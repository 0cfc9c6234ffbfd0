// Every query the stores make is served by an index. The statements of a full vault lifecycle
// (put, rotate, list, describe, delete, restore, purge, destroy, reveal, rewrap, verifyKeys,
// listVersionsByKek) and of
// every API key method are captured from the store's Kysely log and explained by the dialect: no
// step may read a coffer table without an index; only the KEK scans (rewrap, listKekIds) may walk a
// whole index; listKeys reads the organization index in order, with no sort. And a reveal is one
// statement, a put one statement (a compound one on MariaDB) or one transaction of two inserts. Owner-scoped calls, lookups by
// name (on the live-names index) and updates are explained the same way.
import { createVault, createVaultReader } from '@coffer/vault';
import type { CompiledQuery, Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyRecord, keyIdOf, T0 } from './api-key-record.js';
import type { DialectHarness, DialectStorage, TestDatabase } from './dialect-harness.js';
import { envelope1, envelope2, keys1, keys2, who } from './fixtures.js';

// Transaction control, and the once-per-store session set-up before a store's first statement
// (SQLite's pragma and its probe for the statement cache's blocks, MySQL's check of the session's
// character sets and of the server's compound statements): not a statement of the call. MariaDB's compound statement `begin not atomic … end`
// is one statement of the call.
const CONTROL =
  /^\s*(begin(?!\s+not\s+atomic\b)|commit|rollback|pragma|start transaction|select @@character_set_client|select version\(\) as version, @@sql_mode|-- coffer atomic block probe)\b/i;

/** A statement's first keyword; `block` for a compound statement. */
function verbOf(q: CompiledQuery): string | undefined {
  if (/^\s*begin\s+not\s+atomic\b/i.test(q.sql)) return 'block';
  return q.sql.trim().split(/\s+/)[0]?.toLowerCase();
}

function statements(captured: CompiledQuery[]): CompiledQuery[] {
  return captured.filter((q) => !CONTROL.test(q.sql));
}

export function describeQueryPlans(h: DialectHarness): void {
  describe(`${h.name}: query plans`, () => {
    let database: TestDatabase;
    let storage: DialectStorage;
    const captured: CompiledQuery[] = [];

    beforeAll(async () => {
      database = await h.createDatabase('plans');
      storage = await database.open({ ownKysely: { log: (q) => captured.push(q) } });
      await storage.migrate();
    });
    afterAll(async () => {
      await storage?.close();
      await database?.drop();
    });

    async function checkPlans(queries: CompiledQuery[], allowFull: (q: CompiledQuery) => boolean) {
      let checked = 0;
      for (const q of queries) {
        for (const step of await database.explain(q)) {
          checked++;
          expect(step.index, `${q.sql}\n${step.detail}`).toBeDefined();
          if (!allowFull(q)) expect(step.full, `${q.sql}\n${step.detail}`).toBe(false);
        }
      }
      return checked;
    }

    it('a reveal is one statement; a put is one statement or one transaction of two inserts', async () => {
      const vault = createVault({ store: storage.vault, envelope: envelope1 });
      const reader = createVaultReader({
        store: storage.vault,
        envelope: envelope1,
        audit: 'unaudited',
      });
      captured.length = 0;
      const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'v-count-0123456789' });
      const put = statements(captured).map(verbOf);
      expect([['with'], ['block'], ['insert', 'insert']]).toContainEqual(put);
      captured.length = 0;
      expect((await reader.reveal(id, who)).expose()).toBe('v-count-0123456789');
      expect(statements(captured)).toHaveLength(1);
      captured.length = 0;
      expect((await reader.reveal(id, { ...who, version: 1 })).expose()).toBe('v-count-0123456789');
      expect(statements(captured)).toHaveLength(1);
    });

    it('no vault store query reads a table without an index; lookups seek', async () => {
      let now = 1_750_000_000_000;
      const vault = createVault({
        store: storage.vault,
        envelope: envelope1,
        provider: keys1,
        clock: () => now,
      });
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) {
        const kind = i % 2 ? 'a' : 'b';
        ids.push((await vault.put({ kind, owner: `o${i % 3}`, value: `v-${i}-0123456789` })).id);
      }
      const [a, b, c] = ids;
      if (a === undefined || b === undefined || c === undefined) throw new Error('ids');
      // Two values already under KEK 2: a KEK id few rows are under, as a new or a retiring one is.
      const onKek2 = createVault({ store: storage.vault, envelope: envelope2, provider: keys2 });
      for (let i = 0; i < 2; i++) {
        await onKek2.put({ kind: 'a', owner: 'o9', value: `v-kek2-${i}-0123456789` });
      }
      await database.analyze('coffer_');
      // What verifyKeys reads per KEK id (listVersionsByKek): for an id few rows are under, a seek
      // on the kek_id index.
      captured.length = 0;
      expect(await storage.vault.listVersionsByKek?.('2', 3)).toHaveLength(2);
      const [byKek] = statements(captured);
      if (byKek === undefined) throw new Error('listVersionsByKek ran no statement');
      for (const step of await database.explain(byKek)) {
        expect(step.index, `${byKek.sql}\n${step.detail}`).toMatch(/vault_versions_kek_idx$/);
        expect(step.full, `${byKek.sql}\n${step.detail}`).toBe(false);
      }
      captured.length = 0;
      await vault.put({ kind: 'a', owner: 'o1', value: 'v-put-0123456789' });
      await vault.rotate(a, 'v-rotated-0123456789');
      await vault.list({ owner: 'o1', limit: 5 });
      const page = await vault.list({ owner: 'o1', kind: 'a', limit: 2 });
      await vault.list({
        owner: 'o1',
        kind: 'a',
        limit: 2,
        cursor: page.nextCursor ?? a,
        includeDeleted: true,
      });
      await vault.describe(b);
      await vault.delete(b);
      await vault.restore(b);
      await vault.delete(c);
      now += 100 * 24 * 3600 * 1000;
      await vault.purgeExpired();
      await vault.destroy(a);
      const reader = createVaultReader({
        store: storage.vault,
        envelope: envelope2,
        audit: 'unaudited',
      });
      await reader.revealVersions(b, who);
      await reader.reveal(b, who);
      await reader.reveal(b, { ...who, version: 1 });
      await createVault({ store: storage.vault, envelope: envelope2, provider: keys2 }).rewrapAll({
        batchSize: 5,
      });
      await vault.verifyKeys().catch(() => undefined);

      const queries = statements(captured);
      expect(queries.length).toBeGreaterThan(10);
      // Only the KEK scans (rewrap, listKekIds) walk a whole index by design, and verifyKeys' rows
      // of the KEK every row is under after the rewrap (listVersionsByKek('2')): there a walk of
      // the primary key in order, stopping at the limit, is as cheap as the kek_id index, and
      // MariaDB takes it.
      const kekLookup = /where\s+\W?kek_id\W*\s*=/i;
      const checked = await checkPlans(
        queries,
        (q) =>
          /kek_id\W*\s*[<>]|distinct/i.test(q.sql) ||
          (kekLookup.test(q.sql) && q.parameters[0] === '2'),
      );
      expect(checked).toBeGreaterThan(10);
    });

    it('owner-scoped, by-name and update statements are served by indexes; a reveal by name or by owner is one statement', async () => {
      const vault = createVault({ store: storage.vault, envelope: envelope1, maxVersions: 2 });
      const reader = createVaultReader({
        store: storage.vault,
        envelope: envelope1,
        audit: 'unaudited',
      });
      // Several owners, each with many entries, half of them named (some names deleted and
      // reused): a name lookup that walked the owner's entries would read them all.
      const ids: string[] = [];
      for (let i = 0; i < 90; i++) {
        const owner = `org_plan_${i % 3}`;
        const name = i % 2 === 0 ? `key-${i}` : null;
        const { id } = await vault.put({
          kind: i % 4 ? 'a' : 'b',
          owner,
          name,
          value: `v-plan-${i}-0123456789`,
        });
        if (i % 10 === 0 && name !== null) {
          await vault.delete(id);
          await vault.put({ kind: 'a', owner, name, value: `v-plan-${i}-again-0123456789` });
        }
        ids.push(id);
      }
      // And the entries of 300 other tenants, written directly: on a table of a few pages any plan
      // is as cheap as any other, and planners pick accordingly.
      const db = storage.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
      for (let start = 0; start < 6000; start += 500) {
        const rows = Array.from({ length: 500 }, (_, i) => ({
          id: `0190f5b2-7c1e-7a3b-9c4d-${(start + i).toString(16).padStart(12, '0')}`,
          owner: `org_bulk_${(start + i) % 300}`,
          kind: 'bulk',
          label: null,
          name: (start + i) % 2 === 0 ? `bulk-${start + i}` : null,
          status: null,
          metadata: '{}',
          preview: '…',
          version: 1,
          revision: 1,
          created_at: h.timeToDb(T0),
          updated_at: h.timeToDb(T0),
          deleted_at: (start + i) % 5 === 0 ? h.timeToDb(T0) : null,
        }));
        await db.insertInto('coffer_vault_entries').values(rows).execute();
      }
      await database.analyze('coffer_');
      const mine = vault.forOwner('org_plan_1');
      const myReader = reader.forOwner('org_plan_1');
      const target = ids[4] ?? '';
      const named = 'key-16';

      captured.length = 0;
      await myReader.revealByName(named, who);
      expect(statements(captured)).toHaveLength(1);
      captured.length = 0;
      await myReader.revealByName(named, { ...who, version: 1 });
      expect(statements(captured)).toHaveLength(1);
      captured.length = 0;
      await myReader.reveal(target, who);
      expect(statements(captured)).toHaveLength(1);
      captured.length = 0;
      await myReader.reveal(target, { ...who, version: 1 });
      expect(statements(captured)).toHaveLength(1);

      captured.length = 0;
      const byName = [
        await mine.findByName(named),
        (await myReader.revealByName(named, who)).entry,
        (await myReader.revealByName(named, { ...who, version: 1 })).entry,
      ];
      expect(byName.map((e) => e?.name)).toEqual([named, named, named]);
      await myReader.revealVersionsByName(named, who);
      const nameQueries = statements(captured).filter((q) => /\Wname\W*\s*=|live_name/.test(q.sql));
      expect(nameQueries.length).toBeGreaterThanOrEqual(4);
      for (const q of nameQueries) {
        const steps = await database.explain(q);
        const entrySteps = steps.filter((st) => /vault_entries|^e$/.test(st.table));
        expect(entrySteps.length, q.sql).toBeGreaterThan(0);
        for (const step of entrySteps) {
          expect(step.index, `${q.sql}\n${step.detail}`).toMatch(/vault_entries_name_idx$/);
          expect(step.full, `${q.sql}\n${step.detail}`).toBe(false);
        }
      }

      captured.length = 0;
      await mine.describe(target);
      await mine.list({ limit: 5 });
      await mine.list({ kind: 'a', limit: 5, includeDeleted: true });
      await mine.update(target, { status: 'paused', metadata: { n: 1 } }, { expectedVersion: 1 });
      await mine.rotate(target, 'v-plan-rotated-0123456789');
      await mine.rotate(target, 'v-plan-rotated-again-0123456789');
      await myReader.revealVersions(target, who);
      await storage.vault.getVersion(target, 2, { owner: 'org_plan_1' });
      await mine.delete(target);
      await mine.restore(target);
      await mine.destroy(target);
      const scopedQueries = statements(captured);
      expect(scopedQueries.length).toBeGreaterThan(10);
      for (const q of scopedQueries) {
        expect(q.sql, 'every scoped statement names the owner or works by the primary key').toMatch(
          /owner|entry_id/,
        );
      }
      expect(await checkPlans(scopedQueries, () => false)).toBeGreaterThan(10);
    });

    it('no API key store query reads a table without an index; listKeys reads the organization index in order', async () => {
      const store = storage.apiKeys;
      const db = storage.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
      // 5000 keys of one large organization, then 20 of org_1 sorting after all of them: walking
      // the primary key in key_id order and filtering would read everything first.
      for (let start = 0; start < 5000; start += 500) {
        const rows = Array.from({ length: 500 }, (_, i) => {
          const r = apiKeyRecord(keyIdOf(start + i), { organizationId: 'org_big', scopes: [] });
          return {
            key_id: r.keyId,
            organization_id: r.organizationId,
            env: r.env,
            name: r.name,
            scopes: '[]',
            start: r.start,
            secret_hash: r.secretHash,
            created_at: h.timeToDb(T0),
            killed: 0,
            revision: 1,
          };
        });
        await db.insertInto('coffer_api_key').values(rows).execute();
      }
      for (let i = 5000; i < 5020; i++) {
        await store.insertKey(apiKeyRecord(keyIdOf(i), { organizationId: 'org_1' }));
      }
      await database.analyze('coffer_');
      captured.length = 0;
      await store.insertKey(apiKeyRecord(keyIdOf(6000)));
      await store.getKey(keyIdOf(3));
      await store.listKeys({ organizationId: 'org_1', limit: 5 });
      await store.listKeys({ organizationId: 'org_1', limit: 5, afterKeyId: keyIdOf(5004) });
      await store.updateKey(keyIdOf(3), 1, { killed: true, revokedAt: T0 });
      await store.touchKey(keyIdOf(3), T0 + 1);
      await store.setKillSwitch({ scope: 'global' }, true, T0);
      await store.getKillSwitch({ scope: 'organization', organizationId: 'org_1' });
      const queries = statements(captured);
      expect(queries.map((q) => q.sql.trim().split(/\s+/)[0]?.toLowerCase())).toEqual([
        'insert',
        'select',
        'select',
        'select',
        'update',
        'update',
        'insert',
        'select',
      ]);
      expect(await checkPlans(queries, () => false)).toBeGreaterThanOrEqual(6);
      const pages = queries.filter((x) => /organization_id\W+\s*=/.test(x.sql));
      expect(pages).toHaveLength(2);
      for (const q of pages) {
        const steps = await database.explain(q);
        expect(
          steps.some((s) => s.sorted),
          q.sql,
        ).toBe(false);
        // The first page must come from the organization index: walking the primary key would
        // read all 5000 keys of org_big first. A later page may instead be a primary-key range
        // from the cursor, which is as cheap when the organization's next keys follow it
        // (MariaDB's choice here): either way an index range, in order.
        if (!/key_id\W+\s*>/.test(q.sql)) {
          expect(
            steps.map((s) => s.index),
            q.sql,
          ).toContain('coffer_api_key_organization_idx');
        }
      }
    });
    it('the audit trail: every page of a key, an organization or everything reads an audit index in order, with no sort; scoped and audited writes seek', async () => {
      const store = storage.apiKeys;
      const db = storage.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
      // 4000 entries of one busy key and organization, then a few of org_audit's key, with times
      // interleaved: reading the time index and filtering would walk the busy ones first.
      for (let start = 0; start < 4000; start += 500) {
        const rows = Array.from({ length: 500 }, (_, i) => ({
          id: `01J${(start + i).toString().padStart(23, '0')}`,
          at: h.timeToDb(T0 + start + i),
          type: 'updated',
          key_id: keyIdOf(7000),
          organization_id: 'org_busy',
          actor: 'bulk',
        }));
        await db.insertInto('coffer_api_key_audit').values(rows).execute();
      }
      const keyId = keyIdOf(7001);
      const audited = (n: number, type: 'minted' | 'killed' | 'organization-killed') => ({
        id: `01K${n.toString().padStart(23, '0')}`,
        at: T0 + n,
        type,
        keyId: type === 'organization-killed' ? null : keyId,
        organizationId: 'org_audit',
        actor: 'plans',
        reason: null,
        requestId: null,
      });
      await database.analyze('coffer_');
      captured.length = 0;
      await store.insertKey(apiKeyRecord(keyId, { organizationId: 'org_audit' }), {
        audit: audited(10, 'minted'),
      });
      await store.getKey(keyId, 'org_audit');
      await store.updateKey(
        keyId,
        1,
        { killed: true, metadata: { a: 1 } },
        { audit: audited(20, 'killed'), organizationId: 'org_audit' },
      );
      await store.setKillSwitch({ scope: 'organization', organizationId: 'org_audit' }, true, T0, {
        audit: audited(30, 'organization-killed'),
      });
      const writes = statements(captured);
      expect(await checkPlans(writes, () => false)).toBeGreaterThanOrEqual(2);
      const before = { at: T0 + 25, id: `01K${'25'.padStart(23, '0')}` };
      const pages: Array<[string, () => Promise<unknown>, RegExp]> = [
        ['key', () => store.listAudit({ keyId, limit: 5 }), /api_key_audit_key_idx$/],
        [
          'key, older',
          () => store.listAudit({ keyId, limit: 5, before }),
          /api_key_audit_key_idx$/,
        ],
        [
          'organization',
          () => store.listAudit({ organizationId: 'org_audit', limit: 5 }),
          /api_key_audit_organization_idx$/,
        ],
        [
          'organization, older',
          () => store.listAudit({ organizationId: 'org_audit', limit: 5, before }),
          /api_key_audit_organization_idx$/,
        ],
        [
          'key within its organization',
          () => store.listAudit({ keyId, organizationId: 'org_audit', limit: 5 }),
          /api_key_audit_(key|organization)_idx$/,
        ],
        ['everything', () => store.listAudit({ limit: 5 }), /api_key_audit_at_idx$/],
        [
          'everything, older',
          () =>
            store.listAudit({
              limit: 5,
              before: { at: T0 + 100, id: `01J${'100'.padStart(23, '0')}` },
            }),
          /api_key_audit_at_idx$/,
        ],
      ];
      for (const [what, run, index] of pages) {
        captured.length = 0;
        await run();
        const [q, ...more] = statements(captured);
        if (q === undefined) throw new Error(`${what}: no statement`);
        expect(more, what).toEqual([]);
        const steps = await database.explain(q);
        expect(steps.length, `${what}\n${q.sql}`).toBeGreaterThan(0);
        for (const step of steps) {
          const detail = `${what}\n${q.sql}\n${step.detail}`;
          expect(step.index, detail).toMatch(index);
          expect(step.sorted, detail).toBe(false);
          // Only the unfiltered, first page of everything walks an index from its end (and stops
          // at the limit).
          if (what !== 'everything') expect(step.full, detail).toBe(false);
        }
      }
      expect(
        (await store.listAudit({ keyId, organizationId: 'org_audit', limit: 5 })).map(
          (e) => e.type,
        ),
      ).toEqual(['killed', 'minted']);
    });
  });
}
