import assert from 'node:assert/strict';
import { utf8Encode } from '@coffer/core';
import type { ApiKeyRecord, ApiKeyStore } from '../api-key-store.js';
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
 * `touchKey` monotonicity, keyset pagination, kill switches), then a real manager and verifier over
 * the store (mint, verify, rotate with grace, kill, revoke, organization and global kill). With
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

    describe('through a manager and verifier', () => {
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
