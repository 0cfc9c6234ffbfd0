// The API key store beyond the conformance suite, over several connections to one database:
// check-and-set updates lose nothing, duplicate inserts have one winner, touches stay monotonic,
// verifiers in two processes see kills and revocations within their state TTL, edge values
// round-trip, keyset pages follow key_id order, and the table refuses malformed rows.
import { createApiKeyManager, createApiKeyVerifier, createBcryptHasher } from '@coffer/api-keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyRecord, keyIdOf, T0 } from './api-key-record.js';
import type { DialectHarness, DialectStorage, TestDatabase } from './dialect-harness.js';
import { inParallel, openMany, pick } from './fixtures.js';

export function describeApiKeys(h: DialectHarness): void {
  describe(`${h.name}: API key store on ${h.handles} connections`, () => {
    let database: TestDatabase;
    let stores: DialectStorage[] = [];
    const at = (i: number) => pick(stores, i).apiKeys;

    beforeAll(async () => {
      database = await h.createDatabase('api_keys');
      stores = await openMany(database, h.handles);
    });
    afterAll(async () => {
      for (const s of stores) await s.close();
      await database?.drop();
    });

    it('a kill, an organization kill and a revoke made through one connection apply within the state TTL on another', async () => {
      const hasher = createBcryptHasher({ cost: 4, threads: 1 });
      const now = { ms: Date.now() };
      const clock = (): number => now.ms;
      try {
        const admin = createApiKeyManager({ store: at(0), hasher, clock });
        const local = createApiKeyVerifier({ store: at(0), hasher, clock });
        const remote = createApiKeyVerifier({ store: at(1), hasher, clock });
        const m = await admin.mint({ organizationId: 'org_two', env: 'live', name: 'n' });
        const key = m.key.expose();
        for (const v of [local, remote]) expect((await v.verify(key)).keyId).toBe(m.keyId);
        await admin.kill(m.keyId);
        now.ms += 999;
        expect((await remote.verify(key)).keyId).toBe(m.keyId); // within the TTL: not seen yet
        now.ms += 1;
        for (const v of [local, remote]) {
          await expect(v.verify(key)).rejects.toMatchObject({ code: 'KILL_SWITCH' });
        }
        await admin.unkill(m.keyId);
        now.ms += 1000;
        await admin.setOrganizationKillSwitch('org_two', true);
        now.ms += 1000;
        await expect(remote.verify(key)).rejects.toMatchObject({
          code: 'KILL_SWITCH',
          details: { scope: 'organization' },
        });
        await admin.setOrganizationKillSwitch('org_two', false);
        await admin.setGlobalKillSwitch(true);
        now.ms += 1000;
        await expect(remote.verify(key)).rejects.toMatchObject({
          code: 'KILL_SWITCH',
          details: { scope: 'global' },
        });
        await admin.setGlobalKillSwitch(false);
        await admin.revoke(m.keyId);
        now.ms += 1000;
        for (const v of [local, remote]) {
          await expect(v.verify(key)).rejects.toMatchObject({ code: 'REVOKED' });
        }
      } finally {
        await hasher.close();
      }
    });

    it('40 concurrent updates from one revision across connections: exactly one wins', async () => {
      const keyId = keyIdOf(1);
      expect(await at(0).insertKey(apiKeyRecord(keyId))).toBe(true);
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          at(i).updateKey(keyId, 1, { secretHash: `hash-${i}` }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const got = await at(1).getKey(keyId);
      expect(got?.secretHash).toBe(`hash-${results.indexOf(true)}`);
      expect(got?.revision).toBe(2);
    });

    it('100 concurrent writers each retrying until they win: revision 101, no update lost', async () => {
      const keyId = keyIdOf(2);
      await at(0).insertKey(apiKeyRecord(keyId));
      const wins = await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const store = at(i);
          for (let attempt = 0; ; attempt++) {
            const current = await store.getKey(keyId);
            if (current === null) throw new Error('vanished');
            if (await store.updateKey(keyId, current.revision, { rotatedAt: T0 + i })) {
              return attempt;
            }
          }
        }),
      );
      expect(wins).toHaveLength(100);
      expect((await at(1).getKey(keyId))?.revision).toBe(101);
    });

    it('concurrent inserts of one keyId across connections: exactly one true, its record kept', async () => {
      const keyId = keyIdOf(3);
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          at(i).insertKey(apiKeyRecord(keyId, { name: `writer-${i}` })),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await at(0).getKey(keyId))?.name).toBe(`writer-${results.indexOf(true)}`);
    });

    it('concurrent touches across connections leave the latest time and the revision alone', async () => {
      const keyId = keyIdOf(4);
      await at(0).insertKey(apiKeyRecord(keyId));
      const times = Array.from({ length: 60 }, (_, i) => T0 + ((i * 7919) % 60) * 1000);
      await Promise.all(times.map((t, i) => at(i).touchKey(keyId, t)));
      const got = await at(1).getKey(keyId);
      expect(got?.lastUsedAt).toBe(Math.max(...times));
      expect(got?.revision).toBe(1);
      await at(0).touchKey(keyId, T0);
      expect((await at(0).getKey(keyId))?.lastUsedAt).toBe(Math.max(...times));
    });

    it('concurrent kill switch writes across connections: the switch ends in one of the written states', async () => {
      const target = { scope: 'organization', organizationId: 'org_race' } as const;
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => at(i).setKillSwitch(target, i % 2 === 0, T0 + i)),
      );
      expect(typeof (await at(0).getKillSwitch(target))).toBe('boolean');
      await at(1).setKillSwitch(target, true, T0 + 100);
      expect(await at(0).getKillSwitch(target)).toBe(true);
    });

    it('round-trips edge values: empty and unicode text, empty scopes, extreme times', async () => {
      const keyId = keyIdOf(6);
      const record = apiKeyRecord(keyId, {
        organizationId: '組織 🚀',
        name: '',
        scopes: [],
        previousSecretHash: '',
        previousSecretExpiresAt: 0,
        createdAt: -1,
        expiresAt: 8.64e15,
        env: 'test',
      });
      expect(await at(0).insertKey(record)).toBe(true);
      expect(await at(1).getKey(keyId)).toEqual(record);
      expect(await at(1).listKeys({ organizationId: '組織 🚀', limit: 5 })).toEqual([record]);
    });

    it('organization ids and kill switch targets compare exactly: case and trailing spaces count', async () => {
      for (const [i, organizationId] of ['org_exact', 'ORG_EXACT', 'org_exact '].entries()) {
        await at(0).insertKey(apiKeyRecord(keyIdOf(100 + i), { organizationId }));
      }
      for (const [i, organizationId] of ['org_exact', 'ORG_EXACT', 'org_exact '].entries()) {
        const listed = await at(1).listKeys({ organizationId, limit: 10 });
        expect(listed.map((r) => r.keyId)).toEqual([keyIdOf(100 + i)]);
      }
      await at(0).setKillSwitch({ scope: 'organization', organizationId: 'org_exact ' }, true, T0);
      expect(
        await at(1).getKillSwitch({ scope: 'organization', organizationId: 'org_exact' }),
      ).toBe(false);
      expect(
        await at(1).getKillSwitch({ scope: 'organization', organizationId: 'org_exact ' }),
      ).toBe(true);
    });

    it('updateKey: absent (or undefined) fields stay, null clears, an empty change only bumps', async () => {
      const keyId = keyIdOf(7);
      const record = apiKeyRecord(keyId, {
        previousSecretHash: 'prev',
        previousSecretExpiresAt: T0 + 5,
        rotatedAt: T0 + 6,
      });
      await at(0).insertKey(record);
      // A JavaScript caller may pass explicit undefined; it means "leave as is".
      const loose = { previousSecretHash: undefined, rotatedAt: null } as unknown as {
        rotatedAt: null;
      };
      expect(await at(0).updateKey(keyId, 1, loose)).toBe(true);
      expect(await at(0).updateKey(keyId, 2, {})).toBe(true);
      expect(await at(0).getKey(keyId)).toEqual({ ...record, rotatedAt: null, revision: 3 });
      expect(await at(0).updateKey(keyId, 2, {})).toBe(false);
      expect(await at(0).updateKey(keyId, 1.5, {})).toBe(false);
    });

    it('insertKey starts every key at revision 1, whatever the record says', async () => {
      const keyId = keyIdOf(8);
      await at(0).insertKey(apiKeyRecord(keyId, { revision: 7 }));
      expect((await at(0).getKey(keyId))?.revision).toBe(1);
    });

    it('pages 2100 keys of one organization in limits of 1000, in key_id byte order, others left out', async () => {
      // Upper and lower case and digits: byte order, the order JavaScript sorts these in.
      const ids = Array.from(
        { length: 2100 },
        (_, i) => `P${i.toString(36).padStart(13, '0')}${i % 2 ? 'a' : 'B'}x`,
      );
      await inParallel(ids.length, 8, async (i) => {
        await at(i).insertKey(
          apiKeyRecord(ids[ids.length - 1 - i] ?? '', { organizationId: 'org_pages' }),
        );
      });
      await at(0).insertKey(apiKeyRecord('Q000000000000000', { organizationId: 'org_other' }));
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await at(seen.length / 1000).listKeys({
          organizationId: 'org_pages',
          limit: 1000,
          ...(after === undefined ? {} : { afterKeyId: after }),
        });
        seen.push(...page.map((r) => r.keyId));
        if (page.length < 1000) break;
        after = page[page.length - 1]?.keyId;
      }
      expect(seen).toEqual([...ids].sort());
    });

    it("the table refuses a malformed row: env outside 'live'/'test', a key id not 16 long", async () => {
      const store = at(0);
      for (const bad of [
        apiKeyRecord(keyIdOf(9), { env: 'prod' as 'live' }),
        apiKeyRecord('short'),
      ]) {
        const error = await store.insertKey(bad).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(h.isCheckViolation(error), String(error)).toBe(true);
      }
      expect(await store.getKey(keyIdOf(9))).toBeNull();
    });
  });
}
