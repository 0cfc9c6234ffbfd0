import assert from 'node:assert/strict';
import { utf8Encode } from '@coffer/core';
import type { ApiKeyAuditEntry, ApiKeyRecord, ApiKeyStore } from '../api-key-store.js';
import { createBcryptHasher } from '../hasher.js';
import { createApiKeyManager } from '../manager.js';
import { createApiKeyVerifier } from '../verifier.js';

/**
 * The test functions the suite registers its cases with: `describe` and `it` from vitest,
 * `node:test`, mocha or jest. `it` callbacks are async and throw on failure.
 *
 * @example
 * ```ts
 * import { describe, it } from 'node:test';
 * import type { ConformanceRunner } from '@coffer/api-keys/testing';
 *
 * const runner: ConformanceRunner = { describe, it };
 * ```
 */
export interface ConformanceRunner {
  /** Groups cases. */
  describe: (name: string, fn: () => void) => unknown;
  /** Registers one async case. */
  it: (name: string, fn: () => Promise<void>) => unknown;
}

/**
 * One fresh, empty store under test, with optional hooks.
 *
 * @example
 * ```ts
 * import { createMemoryApiKeyStore } from '@coffer/api-keys';
 * import type { ApiKeyStoreFixture } from '@coffer/api-keys/testing';
 *
 * const fixture: ApiKeyStoreFixture = { store: createMemoryApiKeyStore() };
 * ```
 */
export interface ApiKeyStoreFixture {
  /** The store, empty. */
  store: ApiKeyStore;
  /** Everything the store physically holds (a dump, the database file), for the no-secret check. */
  rawDump?: () => Promise<Uint8Array | string>;
  /** A second handle on the same storage (another connection or process), for concurrency cases. */
  openSecondHandle?: () => Promise<ApiKeyStore>;
  /** Releases the store (close pools, drop the schema). */
  close?: () => Promise<void>;
}

/**
 * Makes a fresh, empty store for each case.
 *
 * @example
 * ```ts
 * import { createMemoryApiKeyStore } from '@coffer/api-keys';
 * import type { ApiKeyStoreFactory } from '@coffer/api-keys/testing';
 *
 * const createStore: ApiKeyStoreFactory = async () => ({ store: createMemoryApiKeyStore() });
 * ```
 */
export type ApiKeyStoreFactory = () => Promise<ApiKeyStoreFixture>;

const T0 = 1_750_000_000_000;

function record(
  keyId: string,
  organizationId: string,
  extra: Partial<ApiKeyRecord> = {},
): ApiKeyRecord {
  return {
    keyId,
    organizationId,
    env: 'live',
    name: 'conformance',
    scopes: ['events:read'],
    tier: 'standard',
    start: `lp_live_${keyId}`,
    secretHash: `$2b$04$${'a'.repeat(53)}`,
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    createdAt: T0,
    expiresAt: null,
    rotatedAt: null,
    revokedAt: null,
    killed: false,
    lastUsedAt: null,
    revision: 1,
    metadata: {},
    ...extra,
  };
}

/** Audit entry ids (26 characters) in ascending order. */
function auditId(n: number): string {
  return `01J${n.toString().padStart(23, '0')}`;
}

function entry(n: number, extra: Partial<ApiKeyAuditEntry> = {}): ApiKeyAuditEntry {
  return {
    id: auditId(n),
    at: T0 + n,
    type: 'updated',
    keyId: null,
    organizationId: null,
    actor: 'conformance',
    reason: null,
    requestId: null,
    ...extra,
  };
}

/** A store that counts the calls made to it, to compare what two manager calls cost. */
function counting(store: ApiKeyStore): { store: ApiKeyStore; calls: () => number } {
  let calls = 0;
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: wrapped, calls: () => calls };
}

/** Key ids in ascending order: `id(0)` < `id(1)` < … */
function id(n: number): string {
  return `0000000000${n.toString(32).toUpperCase().padStart(6, '0')}`
    .replace(/I/g, 'J')
    .replace(/L/g, 'M')
    .replace(/O/g, 'P')
    .replace(/U/g, 'V');
}

function contains(haystack: Uint8Array | string, needle: string): boolean {
  if (typeof haystack === 'string') return haystack.includes(needle);
  const n = utf8Encode(needle);
  outer: for (let i = 0; i + n.length <= haystack.length; i++) {
    for (let j = 0; j < n.length; j++) if (haystack[i + j] !== n[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * Registers the `ApiKeyStore` conformance suite: every contract of the interface through direct
 * calls (round trips of every field, duplicate inserts, check-and-set updates under concurrency,
 * `touchKey` monotonicity, keyset pagination, kill switches, audit entries written with their
 * change or not at all and listed newest first, metadata, lookups scoped to an organization), then
 * a real manager and verifier over the store (mint, verify, rotate with grace, kill, revoke,
 * organization and global kill, every change audited, `forOrganization` answering another
 * organization's key as a missing one). With
 * `rawDump` it proves no full key or secret reaches storage. Runner-agnostic (`node:assert`); each
 * case gets a fresh store and closes it.
 *
 * @param runner `describe` and `it` of your test runner.
 * @param options `createStore`: a factory of fresh, empty stores; `name` labels the suite.
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { createMemoryApiKeyStore } from '@coffer/api-keys';
 * import { runApiKeyStoreConformance } from '@coffer/api-keys/testing';
 *
 * runApiKeyStoreConformance({ describe, it }, {
 *   name: 'memory',
 *   createStore: async () => ({ store: createMemoryApiKeyStore() }),
 * });
 * ```
 */
export function runApiKeyStoreConformance(
  runner: ConformanceRunner,
  options: { createStore: ApiKeyStoreFactory; name?: string },
): void {
  const { describe, it } = runner;

  function test(
    name: string,
    fn: (fixture: ApiKeyStoreFixture, store: ApiKeyStore) => Promise<void>,
  ): void {
    it(name, async () => {
      const fixture = await options.createStore();
      try {
        await fn(fixture, fixture.store);
      } finally {
        await fixture.close?.();
      }
    });
  }

  describe(`ApiKeyStore conformance${options.name === undefined ? '' : `: ${options.name}`}`, () => {
    describe('records', () => {
      test('insertKey then getKey returns every field as given', async (_, store) => {
        const full = record(id(1), 'org_ü 1', {
          env: 'test',
          name: 'Billing sync ✓ (prod) — 日本',
          scopes: ['events:read', 'events:read+pii', 'projects:write'],
          tier: 'partner_v2',
          start: `xy_test_${id(1)}`,
          previousSecretHash: `$2b$04$${'b'.repeat(53)}`,
          previousSecretExpiresAt: T0 + 5_000,
          expiresAt: T0 + 86_400_000,
          rotatedAt: T0 + 1,
          revokedAt: T0 + 2,
          killed: true,
          lastUsedAt: T0 + 3,
        });
        assert.equal(await store.insertKey(full), true);
        assert.deepEqual(await store.getKey(id(1)), full);
        const bare = record(id(2), 'org_1', { scopes: [] });
        assert.equal(await store.insertKey(bare), true);
        assert.deepEqual(await store.getKey(id(2)), bare);
      });

      test('getKey of an unknown id is null', async (_, store) => {
        assert.equal(await store.getKey(id(9)), null);
      });

      test('a duplicate keyId is refused without changing the stored record', async (_, store) => {
        assert.equal(await store.insertKey(record(id(1), 'org_1')), true);
        assert.equal(await store.insertKey(record(id(1), 'org_2', { name: 'intruder' })), false);
        const stored = await store.getKey(id(1));
        assert.equal(stored?.organizationId, 'org_1');
        assert.equal(stored?.name, 'conformance');
      });

      test('returned records are copies: mutating one changes nothing stored', async (_, store) => {
        await store.insertKey(record(id(1), 'org_1'));
        const got = await store.getKey(id(1));
        assert.ok(got !== null);
        (got.scopes as string[]).push('admin');
        assert.deepEqual((await store.getKey(id(1)))?.scopes, ['events:read']);
      });
    });

    describe('updateKey (check-and-set)', () => {
      test('applies only the given fields and bumps the revision', async (_, store) => {
        await store.insertKey(
          record(id(1), 'org_1', { previousSecretHash: 'old', previousSecretExpiresAt: T0 }),
        );
        assert.equal(await store.updateKey(id(1), 1, { killed: true }), true);
        let got = await store.getKey(id(1));
        assert.equal(got?.killed, true);
        assert.equal(got?.revision, 2);
        assert.equal(got?.previousSecretHash, 'old');
        assert.equal(
          await store.updateKey(id(1), 2, {
            secretHash: 'new-hash',
            previousSecretHash: null,
            previousSecretExpiresAt: null,
            rotatedAt: T0 + 10,
          }),
          true,
        );
        got = await store.getKey(id(1));
        assert.equal(got?.secretHash, 'new-hash');
        assert.equal(got?.previousSecretHash, null);
        assert.equal(got?.previousSecretExpiresAt, null);
        assert.equal(got?.rotatedAt, T0 + 10);
        assert.equal(got?.killed, true);
        assert.equal(got?.revision, 3);
        assert.equal(await store.updateKey(id(1), 3, { revokedAt: T0 + 20, killed: false }), true);
        got = await store.getKey(id(1));
        assert.equal(got?.revokedAt, T0 + 20);
        assert.equal(got?.killed, false);
      });

      test('a stale revision or an unknown key changes nothing', async (_, store) => {
        await store.insertKey(record(id(1), 'org_1'));
        assert.equal(await store.updateKey(id(1), 1, { killed: true }), true);
        assert.equal(await store.updateKey(id(1), 1, { revokedAt: T0 }), false);
        assert.equal((await store.getKey(id(1)))?.revokedAt, null);
        assert.equal(await store.updateKey(id(2), 1, { killed: true }), false);
        assert.equal(await store.getKey(id(2)), null);
      });

      test('of concurrent updates from one revision exactly one wins', async (fixture, store) => {
        await store.insertKey(record(id(1), 'org_1'));
        const second =
          fixture.openSecondHandle === undefined ? store : await fixture.openSecondHandle();
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            (i % 2 === 0 ? store : second).updateKey(id(1), 1, { secretHash: `hash-${i}` }),
          ),
        );
        assert.equal(results.filter(Boolean).length, 1);
        const winner = results.indexOf(true);
        const got = await store.getKey(id(1));
        assert.equal(got?.secretHash, `hash-${winner}`);
        assert.equal(got?.revision, 2);
      });
    });

    describe('touchKey', () => {
      test('only moves lastUsedAt forward and leaves the revision alone', async (_, store) => {
        await store.insertKey(record(id(1), 'org_1'));
        await store.touchKey(id(1), T0 + 100);
        assert.equal((await store.getKey(id(1)))?.lastUsedAt, T0 + 100);
        await store.touchKey(id(1), T0 + 50);
        assert.equal((await store.getKey(id(1)))?.lastUsedAt, T0 + 100);
        await store.touchKey(id(1), T0 + 200);
        const got = await store.getKey(id(1));
        assert.equal(got?.lastUsedAt, T0 + 200);
        assert.equal(got?.revision, 1);
        assert.equal(await store.updateKey(id(1), 1, { killed: true }), true);
      });

      test('touching an unknown key is a silent no-op', async (_, store) => {
        await store.touchKey(id(5), T0);
        assert.equal(await store.getKey(id(5)), null);
      });
    });

    describe('listKeys', () => {
      test('pages one organization in keyId order, revoked keys included', async (_, store) => {
        const ids = [7, 3, 11, 1, 9, 5].map(id);
        for (const k of ids)
          await store.insertKey(record(k, 'org_a', { revokedAt: k === id(9) ? T0 : null }));
        await store.insertKey(record(id(4), 'org_b'));
        await store.insertKey(record(id(6), 'org_a2'));
        const sorted = [...ids].sort();
        const page1 = await store.listKeys({ organizationId: 'org_a', limit: 4 });
        assert.deepEqual(
          page1.map((r) => r.keyId),
          sorted.slice(0, 4),
        );
        const page2 = await store.listKeys({
          organizationId: 'org_a',
          limit: 4,
          afterKeyId: sorted[3] ?? '',
        });
        assert.deepEqual(
          page2.map((r) => r.keyId),
          sorted.slice(4),
        );
        assert.equal(page2.find((r) => r.keyId === id(9))?.revokedAt, T0);
        assert.deepEqual(
          (await store.listKeys({ organizationId: 'org_b', limit: 10 })).map((r) => r.keyId),
          [id(4)],
        );
        assert.deepEqual(await store.listKeys({ organizationId: 'org_none', limit: 10 }), []);
      });
    });

    describe('kill switches', () => {
      test('global and per-organization switches are independent, off until set, idempotent', async (_, store) => {
        assert.equal(await store.getKillSwitch({ scope: 'global' }), false);
        assert.equal(
          await store.getKillSwitch({ scope: 'organization', organizationId: 'org_1' }),
          false,
        );
        await store.setKillSwitch({ scope: 'organization', organizationId: 'org_1' }, true, T0);
        await store.setKillSwitch({ scope: 'organization', organizationId: 'org_1' }, true, T0 + 1);
        assert.equal(
          await store.getKillSwitch({ scope: 'organization', organizationId: 'org_1' }),
          true,
        );
        assert.equal(
          await store.getKillSwitch({ scope: 'organization', organizationId: 'org_2' }),
          false,
        );
        assert.equal(await store.getKillSwitch({ scope: 'global' }), false);
        await store.setKillSwitch({ scope: 'global' }, true, T0 + 2);
        assert.equal(await store.getKillSwitch({ scope: 'global' }), true);
        await store.setKillSwitch(
          { scope: 'organization', organizationId: 'org_1' },
          false,
          T0 + 3,
        );
        assert.equal(
          await store.getKillSwitch({ scope: 'organization', organizationId: 'org_1' }),
          false,
        );
        assert.equal(await store.getKillSwitch({ scope: 'global' }), true);
        await store.setKillSwitch({ scope: 'global' }, false, T0 + 4);
        assert.equal(await store.getKillSwitch({ scope: 'global' }), false);
      });

      test('an organization id that looks like "global" is still an organization', async (_, store) => {
        await store.setKillSwitch({ scope: 'organization', organizationId: 'global' }, true, T0);
        assert.equal(await store.getKillSwitch({ scope: 'global' }), false);
      });
    });

    describe('tiers', () => {
      test('each key keeps its own tier through getKey, listKeys and updateKey', async (_, store) => {
        const tiers = ['standard', 'pilot', 'partner', 'enterprise-eu.2'];
        for (const [n, tier] of tiers.entries()) {
          assert.equal(await store.insertKey(record(id(n), 'org_1', { tier })), true);
        }
        for (const [n, tier] of tiers.entries()) {
          assert.equal((await store.getKey(id(n)))?.tier, tier);
        }
        const listed = await store.listKeys({ organizationId: 'org_1', limit: 10 });
        assert.deepEqual(
          listed.map((r) => r.tier),
          tiers,
        );
        assert.equal(await store.updateKey(id(2), 1, { killed: true }), true);
        assert.equal((await store.getKey(id(2)))?.tier, 'partner', 'an update kept the tier');
      });

      test('a manager mints with the default or a given tier and the verifier exposes it', async (_, store) => {
        const hasher = createBcryptHasher({ cost: 4, threads: 0 });
        try {
          const verifier = createApiKeyVerifier({ store, hasher, cache: false });
          const manager = createApiKeyManager({ store, hasher });
          const plain = await manager.mint({ organizationId: 'org_1', env: 'live', name: 'a' });
          const pilot = await manager.mint({
            organizationId: 'org_1',
            env: 'live',
            name: 'b',
            tier: 'pilot',
          });
          assert.equal(plain.info.tier, 'standard');
          assert.equal((await store.getKey(plain.keyId))?.tier, 'standard');
          assert.equal((await store.getKey(pilot.keyId))?.tier, 'pilot');
          assert.equal((await verifier.verify(plain.key.expose())).tier, 'standard');
          assert.equal((await verifier.verify(pilot.key.expose())).tier, 'pilot');
          await assert.rejects(
            manager.mint({ organizationId: 'org_1', env: 'live', name: 'c', tier: 'gold' }),
            { code: 'INVALID_INPUT', details: { parameter: 'tier' } },
          );
          assert.equal((await store.listKeys({ organizationId: 'org_1', limit: 10 })).length, 2);
        } finally {
          await hasher.close();
        }
      });
    });

    describe('audit trail', () => {
      test('an entry given with insertKey, updateKey or setKillSwitch is stored with every field', async (_, store) => {
        const minted = entry(1, {
          type: 'minted',
          keyId: id(1),
          organizationId: 'org_ü 1',
          actor: 'ops@example.com ✓ 日本',
          reason: 'INC-42: partner onboarding',
          requestId: 'req_0123',
        });
        assert.equal(await store.insertKey(record(id(1), 'org_ü 1'), { audit: minted }), true);
        const killed = entry(2, { type: 'killed', keyId: id(1), organizationId: 'org_ü 1' });
        assert.equal(await store.updateKey(id(1), 1, { killed: true }, { audit: killed }), true);
        const orgKilled = entry(3, { type: 'organization-killed', organizationId: 'org_ü 1' });
        await store.setKillSwitch(
          { scope: 'organization', organizationId: 'org_ü 1' },
          true,
          T0 + 3,
          {
            audit: orgKilled,
          },
        );
        const global = entry(4, { type: 'global-killed' });
        await store.setKillSwitch({ scope: 'global' }, true, T0 + 4, { audit: global });
        assert.deepEqual(await store.listAudit({ limit: 10 }), [global, orgKilled, killed, minted]);
        assert.deepEqual(await store.listAudit({ keyId: id(1), limit: 10 }), [killed, minted]);
        assert.deepEqual(await store.listAudit({ organizationId: 'org_ü 1', limit: 10 }), [
          orgKilled,
          killed,
          minted,
        ]);
        assert.equal(await store.getKillSwitch({ scope: 'global' }), true);
        assert.equal((await store.getKey(id(1)))?.killed, true);
      });

      test('a write that does not apply records nothing: duplicate insert, stale revision, unknown key, another organization', async (_, store) => {
        await store.insertKey(record(id(1), 'org_1'), { audit: entry(1, { keyId: id(1) }) });
        assert.equal(
          await store.insertKey(record(id(1), 'org_2'), { audit: entry(2, { keyId: id(1) }) }),
          false,
        );
        assert.equal(await store.updateKey(id(1), 7, { killed: true }, { audit: entry(3) }), false);
        assert.equal(await store.updateKey(id(9), 1, { killed: true }, { audit: entry(4) }), false);
        assert.equal(
          await store.updateKey(
            id(1),
            1,
            { killed: true },
            { audit: entry(5), organizationId: 'org_2' },
          ),
          false,
        );
        const got = await store.getKey(id(1));
        assert.equal(got?.killed, false);
        assert.equal(got?.revision, 1);
        assert.deepEqual(
          (await store.listAudit({ limit: 10 })).map((e) => e.id),
          [auditId(1)],
        );
        assert.equal(
          await store.updateKey(
            id(1),
            1,
            { killed: true },
            { audit: entry(6), organizationId: 'org_1' },
          ),
          true,
        );
        assert.deepEqual(
          (await store.listAudit({ limit: 10 })).map((e) => e.id),
          [auditId(6), auditId(1)],
        );
      });

      test('an entry that cannot be recorded (its id is taken) fails the write: the change is not made', async (_, store) => {
        await store.insertKey(record(id(1), 'org_1'), { audit: entry(1, { keyId: id(1) }) });
        await assert.rejects(
          store.updateKey(
            id(1),
            1,
            { killed: true },
            { audit: entry(1, { keyId: id(1), at: T0 + 9 }) },
          ),
        );
        const got = await store.getKey(id(1));
        assert.equal(got?.killed, false, 'the change was kept without its audit entry');
        assert.equal(got?.revision, 1);
        await assert.rejects(
          store.setKillSwitch({ scope: 'global' }, true, T0, { audit: entry(1, { at: T0 + 9 }) }),
        );
        assert.equal(await store.getKillSwitch({ scope: 'global' }), false);
        assert.equal((await store.listAudit({ limit: 10 })).length, 1);
      });

      test('of concurrent audited updates from one revision exactly one wins, with exactly one entry', async (fixture, store) => {
        await store.insertKey(record(id(1), 'org_1'));
        const second =
          fixture.openSecondHandle === undefined ? store : await fixture.openSecondHandle();
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            (i % 2 === 0 ? store : second).updateKey(
              id(1),
              1,
              { secretHash: `hash-${i}` },
              { audit: entry(10 + i, { keyId: id(1), organizationId: 'org_1' }) },
            ),
          ),
        );
        assert.equal(results.filter(Boolean).length, 1);
        const winner = results.indexOf(true);
        const entries = await store.listAudit({ keyId: id(1), limit: 20 });
        assert.deepEqual(
          entries.map((e) => e.id),
          [auditId(10 + winner)],
        );
      });

      test('lists newest first (same time: id descending) and pages with `before`', async (_, store) => {
        const entries: ApiKeyAuditEntry[] = [];
        for (let n = 0; n < 9; n++) {
          // Three entries share each time: the id orders them.
          const e = entry(n, {
            at: T0 + Math.floor(n / 3),
            keyId: id(n % 2),
            organizationId: n % 2 === 0 ? 'org_a' : 'org_b',
          });
          entries.push(e);
          await store.setKillSwitch({ scope: 'global' }, n % 2 === 0, e.at, { audit: e });
        }
        const newest = [...entries].reverse();
        const page1 = await store.listAudit({ limit: 4 });
        assert.deepEqual(page1, newest.slice(0, 4));
        const last = page1[3];
        assert.ok(last !== undefined);
        const page2 = await store.listAudit({ limit: 4, before: { at: last.at, id: last.id } });
        assert.deepEqual(page2, newest.slice(4, 8));
        const tail = page2[3];
        assert.ok(tail !== undefined);
        assert.deepEqual(await store.listAudit({ limit: 4, before: tail }), newest.slice(8));
        assert.deepEqual(
          await store.listAudit({ keyId: id(0), organizationId: 'org_a', limit: 10 }),
          newest.filter((e) => e.keyId === id(0)),
        );
        assert.deepEqual(
          await store.listAudit({ keyId: id(0), organizationId: 'org_b', limit: 10 }),
          [],
        );
        assert.deepEqual(await store.listAudit({ keyId: id(5), limit: 10 }), []);
        assert.deepEqual(await store.listAudit({ organizationId: 'org_none', limit: 10 }), []);
      });
    });

    describe('metadata and organization scope', () => {
      test('metadata round-trips; updateKey changes name, scopes, tier, expiry and metadata', async (_, store) => {
        const metadata = {
          webhookSecret: '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3',
          nested: { list: [1, 2.5, -3, true, null, 'ü ✓ 日本 🦊'], empty: {} },
          'key with spaces': '',
        };
        assert.equal(await store.insertKey(record(id(1), 'org_1', { metadata })), true);
        assert.deepEqual((await store.getKey(id(1)))?.metadata, metadata);
        assert.deepEqual(
          (await store.listKeys({ organizationId: 'org_1', limit: 1 }))[0]?.metadata,
          metadata,
        );
        assert.equal(
          await store.updateKey(id(1), 1, {
            name: 'renamed ✓',
            scopes: ['a:b', 'c:d'],
            tier: 'partner',
            expiresAt: T0 + 99,
            metadata: { replaced: true },
          }),
          true,
        );
        const got = await store.getKey(id(1));
        assert.equal(got?.name, 'renamed ✓');
        assert.deepEqual(got?.scopes, ['a:b', 'c:d']);
        assert.equal(got?.tier, 'partner');
        assert.equal(got?.expiresAt, T0 + 99);
        assert.deepEqual(got?.metadata, { replaced: true });
        assert.equal(got?.revision, 2);
        assert.equal(await store.updateKey(id(1), 2, { expiresAt: null }), true);
        assert.equal((await store.getKey(id(1)))?.expiresAt, null);
        assert.deepEqual((await store.getKey(id(1)))?.metadata, { replaced: true });
      });

      test("getKey with an organization answers another organization's key as missing", async (_, store) => {
        await store.insertKey(record(id(1), 'org_1'));
        assert.equal((await store.getKey(id(1), 'org_1'))?.keyId, id(1));
        assert.equal(await store.getKey(id(1), 'org_2'), null);
        assert.equal(await store.getKey(id(1), 'org_'), null);
        assert.equal(await store.getKey(id(2), 'org_1'), null);
      });
    });

    describe('through a manager and verifier', () => {
      test('every manager change is audited with actor, reason and request id, and announced with its entry', async (_, store) => {
        const hasher = createBcryptHasher({ cost: 4, threads: 0 });
        const heard: unknown[] = [];
        const manager = createApiKeyManager({ store, hasher, onChange: (c) => heard.push(c) });
        try {
          const by = { actor: 'user:7', reason: 'ticket 9', requestId: 'req_1' };
          const m = await manager.mint({ organizationId: 'org_1', env: 'live', name: 'a' }, by);
          await manager.kill(m.keyId, by);
          await manager.kill(m.keyId, by); // already killed: nothing to record
          await manager.unkill(m.keyId, by);
          await manager.rotate(m.keyId, { ...by, gracePeriodMs: 10 });
          await manager.update(m.keyId, { name: 'b', metadata: { vaultId: 'v1' } }, by);
          await manager.setOrganizationKillSwitch('org_1', true, by);
          await manager.setGlobalKillSwitch(false, { actor: 'ops' });
          await manager.revoke(m.keyId);
          const all = (await manager.audit()).entries;
          assert.deepEqual(
            all.map((e) => [e.type, e.keyId, e.organizationId, e.actor]),
            [
              ['revoked', m.keyId, 'org_1', 'unattributed'],
              ['global-unkilled', null, null, 'ops'],
              ['organization-killed', null, 'org_1', 'user:7'],
              ['updated', m.keyId, 'org_1', 'user:7'],
              ['rotated', m.keyId, 'org_1', 'user:7'],
              ['unkilled', m.keyId, 'org_1', 'user:7'],
              ['killed', m.keyId, 'org_1', 'user:7'],
              ['minted', m.keyId, 'org_1', 'user:7'],
            ],
          );
          assert.equal(all[3]?.reason, 'ticket 9');
          assert.equal(all[3]?.requestId, 'req_1');
          assert.deepEqual(
            heard.map((c) => (c as { auditId: string }).auditId),
            [...all].reverse().map((e) => e.id),
          );
          const info = await manager.get(m.keyId);
          assert.equal(info.name, 'b');
          assert.deepEqual(info.metadata, { vaultId: 'v1' });
          const paged = await manager.audit({ organizationId: 'org_1', limit: 3 });
          assert.equal(paged.entries.length, 3);
          assert.ok(paged.next !== null);
          const rest = await manager.audit({
            organizationId: 'org_1',
            limit: 10,
            after: paged.next,
          });
          assert.deepEqual(
            [...paged.entries, ...rest.entries].map((e) => e.id),
            all.filter((e) => e.organizationId === 'org_1').map((e) => e.id),
          );
          assert.equal(rest.next, null);
        } finally {
          await hasher.close();
        }
      });

      test("forOrganization: another organization's key is a missing key (same error, same store calls), lists and audit hold only its own", async (_, store) => {
        const hasher = createBcryptHasher({ cost: 4, threads: 0 });
        const counted = counting(store);
        const manager = createApiKeyManager({ store: counted.store, hasher });
        try {
          const acme = manager.forOrganization('org_acme');
          const globex = manager.forOrganization('org_globex');
          const mine = await acme.mint({ env: 'live', name: 'acme key' }, { actor: 'acme-admin' });
          const theirs = await globex.mint(
            // An organizationId smuggled into the input is ignored.
            { env: 'live', name: 'globex key', organizationId: 'org_acme' } as never,
            { actor: 'globex-admin' },
          );
          assert.equal((await store.getKey(theirs.keyId))?.organizationId, 'org_globex');
          const missing = id(31);
          const outcome = async (call: () => Promise<unknown>) => {
            const before = counted.calls();
            const error = await call().then(
              () => null,
              (e: unknown) => e,
            );
            return { error, calls: counted.calls() - before };
          };
          const calls: Array<[string, (keyId: string) => Promise<unknown>]> = [
            ['get', (k) => acme.get(k)],
            ['rotate', (k) => acme.rotate(k)],
            ['revoke', (k) => acme.revoke(k)],
            ['kill', (k) => acme.kill(k)],
            ['unkill', (k) => acme.unkill(k)],
            ['update', (k) => acme.update(k, { name: 'stolen' })],
          ];
          for (const [name, call] of calls) {
            const other = await outcome(() => call(theirs.keyId));
            const none = await outcome(() => call(missing));
            const o = other.error as { code?: string; status?: number; message?: string } | null;
            const n = none.error as { code?: string; status?: number; message?: string } | null;
            assert.equal(o?.code, 'NOT_FOUND', `${name} of another organization's key`);
            assert.equal(o?.status, n?.status, name);
            assert.equal(o?.message, n?.message, name);
            assert.equal(other.calls, none.calls, `${name}: store calls differ`);
          }
          const untouched = await store.getKey(theirs.keyId);
          assert.equal(untouched?.revision, 1);
          assert.equal(untouched?.name, 'globex key');
          assert.deepEqual(
            (await acme.list()).keys.map((k) => k.keyId),
            [mine.keyId],
          );
          assert.deepEqual((await acme.audit({ keyId: theirs.keyId })).entries, []);
          assert.deepEqual(
            (await acme.audit()).entries.map((e) => e.keyId),
            [mine.keyId],
          );
          await acme.kill(mine.keyId, { actor: 'acme-admin' });
          assert.equal((await acme.get(mine.keyId)).status, 'killed');
          await acme.setKillSwitch(true, { actor: 'acme-admin' });
          assert.equal(await acme.isKillSwitchOn(), true);
          assert.equal(await globex.isKillSwitchOn(), false);
        } finally {
          await hasher.close();
        }
      });

      test('mint, verify, rotate with grace, kill, revoke and organization and global kill', async (fixture, store) => {
        const hasher = createBcryptHasher({ cost: 4, threads: 0 });
        const now = { ms: T0 };
        const clock = (): number => now.ms;
        const verifier = createApiKeyVerifier({ store, hasher, clock, cache: false });
        const manager = createApiKeyManager({ store, hasher, clock });
        try {
          const minted = await manager.mint({
            organizationId: 'org_1',
            env: 'live',
            name: 'partner',
            scopes: ['events:read'],
          });
          const key = minted.key.expose();
          assert.equal((await verifier.verify(key)).keyId, minted.keyId);
          const rotated = await manager.rotate(minted.keyId, { gracePeriodMs: 1000 });
          assert.equal(
            (await verifier.verify(key)).keyId,
            minted.keyId,
            'old secret works in grace',
          );
          assert.equal((await verifier.verify(rotated.key.expose())).keyId, minted.keyId);
          now.ms += 1000;
          await assert.rejects(verifier.verify(key), { code: 'UNAUTHENTICATED' });
          const current = rotated.key.expose();
          await manager.kill(minted.keyId);
          await assert.rejects(verifier.verify(current), {
            code: 'KILL_SWITCH',
            details: { scope: 'key', keyId: minted.keyId },
          });
          await manager.unkill(minted.keyId);
          await manager.setOrganizationKillSwitch('org_1', true);
          now.ms += 1000;
          await assert.rejects(verifier.verify(current), {
            code: 'KILL_SWITCH',
            details: { scope: 'organization', keyId: minted.keyId },
          });
          await manager.setOrganizationKillSwitch('org_1', false);
          await manager.setGlobalKillSwitch(true);
          now.ms += 1000;
          await assert.rejects(verifier.verify(current), {
            code: 'KILL_SWITCH',
            details: { scope: 'global' },
          });
          await manager.setGlobalKillSwitch(false);
          now.ms += 1000;
          await manager.revoke(minted.keyId);
          await assert.rejects(verifier.verify(current), { code: 'REVOKED' });
          const listed = await manager.list('org_1');
          assert.equal(listed.keys.length, 1);
          assert.equal(listed.keys[0]?.status, 'revoked');
          if (fixture.rawDump !== undefined) {
            const dump = await fixture.rawDump();
            for (const secret of [key, current]) {
              assert.equal(contains(dump, secret), false, 'a full key reached storage');
              assert.equal(contains(dump, secret.slice(-43)), false, 'a secret reached storage');
            }
            assert.equal(
              contains(dump, minted.keyId),
              true,
              'rawDump does not look like the store contents',
            );
          }
        } finally {
          await hasher.close();
        }
      });
    });
  });
}
