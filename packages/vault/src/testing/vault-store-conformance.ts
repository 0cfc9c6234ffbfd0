import assert from 'node:assert/strict';
import { isCofferError, toHex, utf8Encode } from '@coffer/core';
import {
  createEnvelope,
  createLocalKeyProvider,
  type Envelope,
  generateKek,
  type KeyProvider,
  Keyring,
} from '@coffer/envelope';
import { defaultPreview } from '../preview.js';
import { createVaultReader, type VaultReader } from '../reader.js';
import { createVault, type Vault, type VaultOptions } from '../vault.js';
import type { VaultEntryRecord, VaultStore, VaultVersionRecord } from '../vault-store.js';

/**
 * The test functions the suite registers its cases with: `describe` and `it` from vitest,
 * `node:test`, mocha or jest. `it` callbacks are async and throw on failure.
 *
 * @example
 * ```ts
 * import { describe, it } from 'node:test';
 * import type { ConformanceRunner } from '@coffer/vault/testing';
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
 * One fresh store under test, with optional hooks.
 *
 * @example
 * ```ts
 * import { createMemoryVaultStore } from '@coffer/vault';
 * import type { VaultStoreFixture } from '@coffer/vault/testing';
 *
 * const store = createMemoryVaultStore();
 * const fixture: VaultStoreFixture = { store, rawDump: () => store.rawDump(), close: async () => {} };
 * ```
 */
export interface VaultStoreFixture {
  /** The store, empty. */
  store: VaultStore;
  /**
   * Everything the store physically holds (e.g. `pg_dump` output, the SQLite file, or all rows
   * serialized), as bytes or text. Enables the "no plaintext in storage" checks.
   */
  rawDump?: () => Promise<Uint8Array | string>;
  /** Releases the store (close pools, drop the schema). */
  close?: () => Promise<void>;
}

/**
 * Makes a fresh, empty store for each case.
 *
 * @example
 * ```ts
 * import { createMemoryVaultStore } from '@coffer/vault';
 * import type { VaultStoreFactory } from '@coffer/vault/testing';
 *
 * const createStore: VaultStoreFactory = async () => ({ store: createMemoryVaultStore() });
 * ```
 */
export type VaultStoreFactory = () => Promise<VaultStoreFixture>;

interface Keys {
  provider: KeyProvider;
  envelope: Envelope;
}

function keysWith(entries: { id: number; key: Uint8Array; status: 'primary' | 'active' }[]): Keys {
  const provider = createLocalKeyProvider(Keyring.fromKeys(entries));
  return { provider, envelope: createEnvelope({ provider }) };
}

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isCofferError(error), `expected a CofferError ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
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
 * Registers the `VaultStore` conformance suite: every contract of the interface, exercised
 * through a real vault, reader and envelope over stores from `createStore`, plus direct calls for
 * check-and-set and scan ordering. With `rawDump` it also proves that no plaintext reaches
 * storage. Runner-agnostic (uses `node:assert/strict`); each case gets a fresh store and closes it.
 *
 * @param runner `describe` and `it` of your test runner.
 * @param options `createStore`: a factory of fresh, empty stores.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { createMemoryVaultStore } from '@coffer/vault';
 * import { runVaultStoreConformance } from '@coffer/vault/testing';
 *
 * runVaultStoreConformance({ describe, it }, {
 *   createStore: async () => {
 *     const store = createMemoryVaultStore();
 *     return { store, rawDump: () => store.rawDump() };
 *   },
 * });
 * ```
 */
export function runVaultStoreConformance(
  runner: ConformanceRunner,
  options: { createStore: VaultStoreFactory; name?: string },
): void {
  const { describe, it } = runner;
  const kek1 = generateKek().expose();
  const kek2 = generateKek().expose();
  const keys1 = keysWith([{ id: 1, key: kek1, status: 'primary' }]);
  const keys2 = keysWith([
    { id: 2, key: kek2, status: 'primary' },
    { id: 1, key: kek1, status: 'active' },
  ]);
  const who = { actor: 'conformance', purpose: 'test' };

  interface Ctx {
    store: VaultStore;
    fixture: VaultStoreFixture;
    vault: Vault;
    reader: VaultReader;
    now: { ms: number };
    make: (keys: Keys, extra?: Partial<VaultOptions>) => { vault: Vault; reader: VaultReader };
  }

  function test(name: string, fn: (ctx: Ctx) => Promise<void>): void {
    it(name, async () => {
      const fixture = await options.createStore();
      const now = { ms: 1_750_000_000_000 };
      const make = (keys: Keys, extra: Partial<VaultOptions> = {}) => ({
        vault: createVault({
          store: fixture.store,
          envelope: keys.envelope,
          provider: keys.provider,
          clock: () => now.ms,
          ...extra,
        }),
        // The suite checks what the store keeps, not the audit trail.
        reader: createVaultReader({
          store: fixture.store,
          envelope: keys.envelope,
          audit: 'unaudited',
        }),
      });
      const { vault, reader } = make(keys1);
      try {
        await fn({ store: fixture.store, fixture, vault, reader, now, make });
      } finally {
        await fixture.close?.();
      }
    });
  }

  describe(`VaultStore conformance${options.name === undefined ? '' : `: ${options.name}`}`, () => {
    describe('round trips', () => {
      test('put, describe and reveal return what was stored', async ({ vault, reader }) => {
        const value = 'EAAGm0PX4ZCpsBA-conformance-0001';
        const ref = await vault.put({
          kind: 'meta-capi-token',
          owner: 'org_1',
          label: 'Pixel ✓ 1234',
          metadata: { pixelId: '1234', nested: { ok: true, n: [1, 2.5, null] } },
          value,
        });
        assert.equal(ref.version, 1);
        const info = await vault.describe(ref.id);
        assert.equal(info.id, ref.id);
        assert.equal(info.kind, 'meta-capi-token');
        assert.equal(info.owner, 'org_1');
        assert.equal(info.label, 'Pixel ✓ 1234');
        assert.deepEqual(info.metadata, {
          pixelId: '1234',
          nested: { ok: true, n: [1, 2.5, null] },
        });
        assert.equal(info.version, 1);
        assert.equal(info.createdAt.getTime(), 1_750_000_000_000);
        assert.equal(info.deletedAt, null);
        assert.equal((await reader.reveal(ref.id, who)).expose(), value);
      });

      test('bytes and a null label round-trip exactly', async ({ vault, reader }) => {
        const bytes = new Uint8Array(300).map((_, i) => (i * 7) & 0xff);
        const ref = await vault.put({ kind: 'raw', owner: 'org_1', value: bytes });
        assert.deepEqual((await reader.revealBytes(ref.id, who)).expose(), bytes);
        assert.equal((await vault.describe(ref.id)).label, null);
        assert.deepEqual((await vault.describe(ref.id)).metadata, {});
      });

      test('a value with NUL first and last is stored; its preview shows U+FFFD instead', async ({
        vault,
        reader,
      }) => {
        const value = '\u0000tok_conformance_0123456789\u0000';
        const { id } = await vault.put({ kind: 'k', owner: 'o', value });
        const preview = (await vault.describe(id)).preview;
        assert.ok(!preview.includes('\u0000'), 'a preview must not hold NUL');
        assert.equal(preview, defaultPreview(value));
        assert.ok(preview.startsWith('\uFFFD') && preview.endsWith('789\uFFFD'), preview);
        assert.equal((await reader.reveal(id, who)).expose(), value);
        await vault.rotate(id, '\u0000rotated_value_0123456789\u0000');
        assert.equal(
          (await vault.describe(id)).preview,
          defaultPreview('\u0000rotated_value_0123456789\u0000'),
        );
        assert.equal(
          (await reader.reveal(id, who)).expose(),
          '\u0000rotated_value_0123456789\u0000',
        );
      });

      test('a "__proto__" metadata key is kept as a key, like any other', async ({
        vault,
        store,
      }) => {
        // JSON.parse makes "__proto__" an own key, as a JSON column read back does.
        const metadata = JSON.parse('{"__proto__":{"polluted":true},"plain":1}');
        const { id } = await vault.put({
          kind: 'k',
          owner: 'o_proto',
          metadata,
          value: 'value-0123456789',
        });
        const check = (m: Record<string, unknown> | undefined, where: string): void => {
          assert.ok(m !== undefined, where);
          assert.equal(Object.getPrototypeOf(m), Object.prototype, `${where}: prototype changed`);
          assert.ok(Object.hasOwn(m, '__proto__'), `${where}: the "__proto__" key was dropped`);
          assert.deepEqual(Object.getOwnPropertyDescriptor(m, '__proto__')?.value, {
            polluted: true,
          });
          assert.equal(m.plain, 1, where);
        };
        check((await vault.describe(id)).metadata, 'describe');
        check((await vault.list({ owner: 'o_proto' })).items[0]?.metadata, 'list');
        check((await store.getEntry(id))?.metadata, 'getEntry');
        assert.equal(({} as { polluted?: unknown }).polluted, undefined);
      });

      test('unknown ids are not found', async ({ store, vault }) => {
        const id = '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3';
        assert.equal(await store.getEntry(id), undefined);
        assert.equal(await store.getVersion(id, 1), undefined);
        assert.deepEqual(await store.listVersions(id), []);
        assert.equal(await store.markDeleted(id, 1), false);
        assert.equal(await store.markRestored(id), false);
        assert.equal(await store.destroyEntry(id), false);
        await rejectsWithCode(vault.describe(id), 'NOT_FOUND');
      });

      test('insertEntry refuses an existing id', async ({ store, vault }) => {
        const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-0123456789' });
        const entry = await store.getEntry(id);
        const row = await store.getVersion(id, 1);
        assert.ok(entry !== undefined && row !== undefined);
        await assert.rejects(store.insertEntry(entry, row));
        assert.equal((await store.listVersions(id)).length, 1);
      });

      test('records are copies: mutating them changes nothing stored', async ({ store, vault }) => {
        const { id } = await vault.put({
          kind: 'k',
          owner: 'o',
          metadata: { a: 1 },
          value: 'value-0123456789',
        });
        const entry = await store.getEntry(id);
        const row = await store.getVersion(id, 1);
        assert.ok(entry !== undefined && row !== undefined);
        const sealedHex = toHex(row.sealed);
        row.sealed.fill(0);
        entry.metadata.a = 2;
        assert.equal(toHex((await store.getVersion(id, 1))?.sealed ?? new Uint8Array()), sealedHex);
        assert.deepEqual((await store.getEntry(id))?.metadata, { a: 1 });
      });

      test('bytes given as a Buffer are copied: changing or erasing them later changes nothing', async ({
        store,
        vault,
      }) => {
        // A large value (a Buffer's slice() is a view, and stores may copy large values apart).
        const value = new Uint8Array(20_000).map((_, i) => (i * 13) & 0xff);
        const { id } = await vault.put({ kind: 'k', owner: 'o_buffer', value });
        const entry = await store.getEntry(id);
        const row = await store.getVersion(id, 1);
        assert.ok(entry !== undefined && row !== undefined);
        const copyId = '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3';
        const given = Buffer.from(row.sealed);
        await store.insertEntry({ ...entry, id: copyId }, { ...row, id: copyId, sealed: given });
        const sealedHex = toHex(row.sealed);
        given.fill(0);
        const read = await store.getVersion(copyId, 1);
        assert.equal(toHex(read?.sealed ?? new Uint8Array()), sealedHex, 'the store kept a view');
        read?.sealed.fill(1);
        assert.equal(
          toHex((await store.getVersion(copyId, 1))?.sealed ?? new Uint8Array()),
          sealedHex,
        );
        // Erasing the stored copy must not reach into the caller's memory either.
        const mine = Buffer.from(row.sealed);
        const otherId = '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a4';
        await store.insertEntry({ ...entry, id: otherId }, { ...row, id: otherId, sealed: mine });
        assert.ok(await store.destroyEntry(otherId));
        assert.equal(toHex(mine), sealedHex, "destroy zeroed the caller's buffer");
      });

      test('metadata with NUL or an unpaired surrogate is refused on every store; other control characters round-trip', async ({
        vault,
        store,
      }) => {
        for (const metadata of [
          { note: 'a\u0000b' },
          { 'k\u0000': 'v' },
          { note: 'x\ud800y' },
          { '\udc00': 'v' },
          { deep: [{ note: '\u0000' }] },
        ]) {
          await rejectsWithCode(
            vault.put({ kind: 'k', owner: 'o_nul_meta', metadata, value: 'value-0123456789' }),
            'INVALID_INPUT',
          );
        }
        assert.deepEqual((await vault.list({ owner: 'o_nul_meta' })).items, []);
        const metadata = { 'tab\tkey': 'line\nbreak \u0001\u001f\u007f\u0085', emoji: '🦊' };
        const { id } = await vault.put({
          kind: 'k',
          owner: 'o_ctl_meta',
          metadata,
          value: 'value-0123456789',
        });
        assert.deepEqual((await vault.describe(id)).metadata, metadata);
        assert.deepEqual((await store.getEntry(id))?.metadata, metadata);
      });

      test('rotate keeps the id, bumps the version and keeps maxVersions earlier ones', async ({
        store,
        make,
      }) => {
        const { vault, reader } = make(keys1, { maxVersions: 2 });
        const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-v1-0123456789' });
        for (let v = 2; v <= 5; v++) {
          assert.deepEqual(await vault.rotate(id, `value-v${v}-0123456789`), { id, version: v });
        }
        assert.equal((await reader.reveal(id, who)).expose(), 'value-v5-0123456789');
        assert.deepEqual(
          (await store.listVersions(id)).map((r) => r.version),
          [5, 4, 3],
        );
        const versions = await reader.revealVersions(id, who);
        assert.deepEqual(
          versions.map((v) => [v.version, v.value.expose()]),
          [
            [5, 'value-v5-0123456789'],
            [4, 'value-v4-0123456789'],
            [3, 'value-v3-0123456789'],
          ],
        );
        assert.equal(
          (await reader.reveal(id, { ...who, version: 4 })).expose(),
          'value-v4-0123456789',
        );
        await rejectsWithCode(reader.reveal(id, { ...who, version: 2 }), 'NOT_FOUND');
        const info = await vault.describe(id);
        assert.equal(info.version, 5);
      });

      test('maxVersions 0 keeps only the current version', async ({ store, make }) => {
        const { vault } = make(keys1, { maxVersions: 0 });
        const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-v1-0123456789' });
        await vault.rotate(id, 'value-v2-0123456789');
        assert.deepEqual(
          (await store.listVersions(id)).map((r) => r.version),
          [2],
        );
      });
    });

    describe('entry with version', () => {
      test('getEntryWithVersion (when implemented) reads the entry with its current or a requested version', async ({
        store,
        make,
      }) => {
        const read = store.getEntryWithVersion?.bind(store);
        if (read === undefined) return;
        const { vault } = make(keys1, { maxVersions: 1 });
        const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-v1-0123456789' });
        for (let v = 2; v <= 3; v++) await vault.rotate(id, `value-v${v}-0123456789`);
        const entry = await store.getEntry(id);
        const current = await store.getVersion(id, 3);
        const earlier = await store.getVersion(id, 2);
        assert.ok(entry !== undefined && current !== undefined && earlier !== undefined);
        assert.deepEqual(await read(id), { entry, version: current });
        assert.deepEqual(await read(id, 2), { entry, version: earlier });
        assert.deepEqual(
          await read(id, 1),
          { entry, version: undefined },
          'a version no longer retained must come back as version: undefined',
        );
        assert.deepEqual(await read(id, 4), { entry, version: undefined });
        assert.equal(await read('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3'), undefined);
        assert.equal(await read('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3', 1), undefined);
        // Copies out: changing what was returned changes nothing stored.
        const got = await read(id);
        assert.ok(got?.version !== undefined);
        got.version.sealed.fill(0);
        got.entry.metadata.changed = true;
        assert.deepEqual(await read(id), { entry, version: current });
        await vault.delete(id);
        const deleted = await read(id);
        assert.equal(deleted?.version?.version, 3, 'a soft-deleted entry is still read');
        assert.equal(typeof deleted?.entry.deletedAt, 'number');
      });

      test('reveals racing rotations (keeping no earlier version) always open the current value', async ({
        make,
      }) => {
        const { vault, reader } = make(keys1, { maxVersions: 0 });
        const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-race-0-0123456789' });
        const written = new Set(['value-race-0-0123456789']);
        const rotations = (async () => {
          for (let i = 1; i <= 8; i++) {
            const value = `value-race-${i}-0123456789`;
            written.add(value);
            await vault.rotate(id, value);
          }
        })();
        const reveals = Array.from({ length: 24 }, () =>
          reader.reveal(id, who).then((v) => v.expose()),
        );
        const [, ...values] = await Promise.all([rotations, ...reveals]);
        for (const value of values)
          assert.ok(written.has(value), 'a reveal opened a value never written');
      });
    });

    describe('check-and-set', () => {
      test('store.rotate: exactly one of concurrent rotations from one version wins', async ({
        store,
        vault,
      }) => {
        const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-v1-0123456789' });
        const row = await store.getVersion(id, 1);
        assert.ok(row !== undefined);
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            store.rotate({
              id,
              expectedVersion: 1,
              next: { ...row, version: 2, createdAt: 1_750_000_000_000 + i },
              preview: `p${i}`,
              keepVersions: 5,
            }),
          ),
        );
        assert.equal(results.filter(Boolean).length, 1);
        const entry = await store.getEntry(id);
        assert.equal(entry?.version, 2);
        assert.equal(entry?.preview, `p${results.indexOf(true)}`);
        assert.equal(entry?.updatedAt, 1_750_000_000_000 + results.indexOf(true));
        assert.deepEqual(
          (await store.listVersions(id)).map((r) => r.version),
          [2, 1],
        );
        assert.equal(
          await store.rotate({
            id,
            expectedVersion: 1,
            next: { ...row, version: 2 },
            preview: 'late',
            keepVersions: 5,
          }),
          false,
        );
      });

      test('concurrent vault rotations: versions strictly increase, none lost or duplicated', async ({
        make,
        store,
      }) => {
        const { vault, reader } = make(keys1, { maxVersions: 100 });
        const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-initial-0000' });
        const n = 10;
        const refs = await Promise.all(
          Array.from({ length: n }, (_, i) => vault.rotate(id, `value-concurrent-${i}-0123`)),
        );
        const versions = refs.map((r) => r.version).sort((a, b) => a - b);
        assert.deepEqual(
          versions,
          Array.from({ length: n }, (_, i) => i + 2),
        );
        assert.equal((await vault.describe(id)).version, n + 1);
        const rows = await store.listVersions(id);
        assert.deepEqual(
          rows.map((r) => r.version),
          Array.from({ length: n + 1 }, (_, i) => n + 1 - i),
        );
        const revealed = await reader.revealVersions(id, who);
        const values = new Set(revealed.map((v) => v.value.expose()));
        assert.equal(values.size, n + 1);
      });

      test('expectedVersion: one concurrent writer wins, the others get VERSION_CONFLICT', async ({
        vault,
      }) => {
        const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-v1-0123456789' });
        const settled = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) =>
            vault.rotate(id, `value-race-${i}-0123456`, { expectedVersion: 1 }),
          ),
        );
        const won = settled.filter((s) => s.status === 'fulfilled');
        assert.equal(won.length, 1);
        for (const s of settled) {
          if (s.status === 'rejected') assert.ok(isCofferError(s.reason, 'VERSION_CONFLICT'));
        }
        assert.equal((await vault.describe(id)).version, 2);
      });

      test('replaceSealed changes a row only while it holds the expected bytes', async ({
        store,
        vault,
      }) => {
        const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-v1-0123456789' });
        const row = await store.getVersion(id, 1);
        assert.ok(row !== undefined);
        const other = row.sealed.slice();
        other[other.length - 1] = (other[other.length - 1] ?? 0) ^ 1;
        assert.equal(
          await store.replaceSealed({
            id,
            version: 1,
            expectedSealed: other,
            sealed: other,
            kekId: 'x',
          }),
          false,
        );
        assert.equal(
          await store.replaceSealed({
            id,
            version: 9,
            expectedSealed: row.sealed,
            sealed: other,
            kekId: 'x',
          }),
          false,
        );
        assert.equal((await store.getVersion(id, 1))?.kekId, row.kekId);
        assert.equal(
          await store.replaceSealed({
            id,
            version: 1,
            expectedSealed: row.sealed,
            sealed: other,
            kekId: 'x',
          }),
          true,
        );
        const after = await store.getVersion(id, 1);
        assert.equal(after?.kekId, 'x');
        assert.equal(toHex(after?.sealed ?? new Uint8Array()), toHex(other));
      });
    });

    describe('pagination', () => {
      test('pages cover every entry of the owner once, in id order, within the limit', async ({
        vault,
        store,
      }) => {
        const mine: string[] = [];
        for (let i = 0; i < 23; i++) {
          const { id } = await vault.put({
            kind: i % 3 === 0 ? 'a' : 'b',
            owner: 'org_page',
            value: `value-page-${i}-0123456`,
          });
          mine.push(id);
          await vault.put({ kind: 'a', owner: 'org_other', value: `value-other-${i}-012345` });
        }
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        for (;;) {
          const page = await vault.list({
            owner: 'org_page',
            limit: 5,
            ...(cursor === undefined ? {} : { cursor }),
          });
          pages++;
          assert.ok(page.items.length <= 5);
          for (const item of page.items) assert.equal(item.owner, 'org_page');
          seen.push(...page.items.map((i) => i.id));
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
          assert.ok(pages < 20, 'pagination does not terminate');
        }
        assert.deepEqual(seen, [...mine].sort());
        assert.equal(new Set(seen).size, 23);
        const sorted = [...mine].sort();
        const direct = await store.listEntries({
          owner: 'org_page',
          limit: 4,
          after: sorted[1] ?? '',
        });
        assert.deepEqual(
          direct.map((e) => e.id),
          sorted.slice(2, 6),
          'listEntries must honour after and limit',
        );
        const kindA = await vault.list({ owner: 'org_page', kind: 'a', limit: 100 });
        assert.equal(kindA.items.length, 8);
        assert.ok(kindA.items.every((i) => i.kind === 'a'));
        assert.equal(kindA.nextCursor, null);
      });

      test('soft-deleted entries are listed only on request', async ({ vault }) => {
        const a = await vault.put({ kind: 'k', owner: 'o', value: 'value-a-0123456789' });
        const b = await vault.put({ kind: 'k', owner: 'o', value: 'value-b-0123456789' });
        await vault.delete(a.id);
        assert.deepEqual(
          (await vault.list({ owner: 'o' })).items.map((i) => i.id),
          [b.id],
        );
        const all = await vault.list({ owner: 'o', includeDeleted: true });
        assert.deepEqual(
          all.items.map((i) => i.id),
          [a.id, b.id].sort(),
        );
      });
    });

    describe('soft delete, restore, purge, destroy', () => {
      test('a deleted entry refuses reveal and rotate until restored', async ({
        vault,
        reader,
      }) => {
        const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-del-0123456789' });
        const deleted = await vault.delete(id);
        assert.ok(deleted.deletedAt instanceof Date);
        await rejectsWithCode(reader.reveal(id, who), 'DELETED');
        await rejectsWithCode(vault.rotate(id, 'value-new-0123456789'), 'DELETED');
        assert.ok((await vault.describe(id)).deletedAt instanceof Date);
        await vault.restore(id);
        assert.equal((await vault.describe(id)).deletedAt, null);
        assert.equal((await reader.reveal(id, who)).expose(), 'value-del-0123456789');
      });

      test('purgeExpired destroys only entries deleted longer than the retention', async ({
        vault,
        store,
        now,
      }) => {
        const day = 24 * 60 * 60 * 1000;
        const old = await vault.put({ kind: 'k', owner: 'o', value: 'value-old-0123456789' });
        const recent = await vault.put({ kind: 'k', owner: 'o', value: 'value-rec-0123456789' });
        const restored = await vault.put({ kind: 'k', owner: 'o', value: 'value-res-0123456789' });
        const live = await vault.put({ kind: 'k', owner: 'o', value: 'value-live-012345678' });
        await vault.delete(old.id);
        await vault.delete(restored.id);
        now.ms += 60 * day;
        await vault.delete(recent.id);
        await vault.restore(restored.id);
        now.ms += 31 * day;
        assert.deepEqual(
          (await store.scanExpired(now.ms - 90 * day, 10)).map((e) => e.id),
          [old.id],
        );
        assert.deepEqual(await vault.purgeExpired(), { purged: 1 });
        await rejectsWithCode(vault.describe(old.id), 'NOT_FOUND');
        assert.deepEqual(await store.listVersions(old.id), []);
        for (const id of [recent.id, restored.id, live.id]) await vault.describe(id);
      });

      test('markDeleted, markRestored and rotate are conditional on the deletion state', async ({
        vault,
        store,
      }) => {
        const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-flag-012345678' });
        const row = await store.getVersion(id, 1);
        assert.ok(row !== undefined);
        assert.equal(
          await store.markRestored(id),
          false,
          'restoring a live entry must return false',
        );
        assert.equal(await store.markDeleted(id, 1000), true);
        assert.equal(await store.markDeleted(id, 2000), false, 'deleting twice must return false');
        assert.equal((await store.getEntry(id))?.deletedAt, 1000);
        assert.equal(
          await store.rotate({
            id,
            expectedVersion: 1,
            next: { ...row, version: 2 },
            preview: 'p',
            keepVersions: 1,
          }),
          false,
          'rotate must refuse a soft-deleted entry',
        );
        assert.equal((await store.getEntry(id))?.version, 1);
        assert.deepEqual(
          (await store.listVersions(id)).map((r) => r.version),
          [1],
        );
        assert.equal(await store.markRestored(id), true);
        assert.equal((await store.getEntry(id))?.deletedAt, null);
        assert.equal(await store.markRestored(id), false);
      });

      test('scanExpired returns expired entries in id order, within the limit', async ({
        vault,
        store,
      }) => {
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
          const { id } = await vault.put({
            kind: 'k',
            owner: 'o',
            value: `value-exp-${i}-0123456`,
          });
          await store.markDeleted(id, 1000 + i);
          ids.push(id);
        }
        await vault.put({ kind: 'k', owner: 'o', value: 'value-exp-live-0123456' });
        ids.sort();
        assert.deepEqual(
          (await store.scanExpired(2000, 3)).map((e) => e.id),
          ids.slice(0, 3),
        );
        assert.deepEqual(
          (await store.scanExpired(2000, 100)).map((e) => e.id),
          ids,
        );
        const early = await store.scanExpired(1003, 100);
        assert.equal(early.length, 3, 'scanExpired must compare deletedAt < before, strictly');
        assert.ok(early.every((e) => e.deletedAt !== null && e.deletedAt < 1003));
      });

      test('destroyEntry with deletedBefore spares live and recently deleted entries', async ({
        vault,
        store,
      }) => {
        const live = await vault.put({ kind: 'k', owner: 'o', value: 'value-live-012345678' });
        const gone = await vault.put({ kind: 'k', owner: 'o', value: 'value-gone-012345678' });
        await vault.delete(gone.id);
        const deletedAt = (await store.getEntry(gone.id))?.deletedAt ?? 0;
        assert.equal(
          await store.destroyEntry(live.id, { deletedBefore: Number.MAX_SAFE_INTEGER }),
          false,
        );
        assert.equal(await store.destroyEntry(gone.id, { deletedBefore: deletedAt }), false);
        assert.equal(await store.destroyEntry(gone.id, { deletedBefore: deletedAt + 1 }), true);
        assert.equal(await store.getEntry(gone.id), undefined);
      });

      test('destroy removes the entry and every version', async ({
        vault,
        reader,
        store,
        fixture,
      }) => {
        const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-v1-0123456789' });
        await vault.rotate(id, 'value-v2-0123456789');
        const sealed = (await store.listVersions(id)).map((r) => toHex(r.sealed));
        await vault.destroy(id);
        await rejectsWithCode(vault.describe(id), 'NOT_FOUND');
        await rejectsWithCode(reader.reveal(id, who), 'NOT_FOUND');
        assert.deepEqual(await store.listVersions(id), []);
        assert.equal(await store.getVersion(id, 1), undefined);
        await rejectsWithCode(vault.destroy(id), 'NOT_FOUND');
        if (fixture.rawDump !== undefined) {
          const dump = await fixture.rawDump();
          const hex = typeof dump === 'string' ? dump.toLowerCase() : toHex(dump);
          for (const s of sealed)
            assert.ok(!hex.includes(s), 'a destroyed sealed value is still stored');
        }
      });
    });

    describe('rewrap scans', () => {
      test('scanForRewrap returns rows not under a KEK in (id, version) order after the cursor', async ({
        store,
        make,
      }) => {
        const { vault } = make(keys1, { maxVersions: 5 });
        const ids: string[] = [];
        for (let i = 0; i < 4; i++) {
          const { id } = await vault.put({ kind: 'k', owner: 'o', value: `value-${i}-0123456789` });
          await vault.rotate(id, `value-${i}-rotated-0123`);
          ids.push(id);
        }
        ids.sort();
        const all = await store.scanForRewrap({ notKekId: '2', limit: 100 });
        assert.deepEqual(
          all.map((r) => [r.id, r.version]),
          ids.flatMap((id) => [
            [id, 1],
            [id, 2],
          ]),
        );
        assert.ok(all.every((r) => r.kekId === '1'));
        assert.deepEqual(await store.scanForRewrap({ notKekId: '1', limit: 100 }), []);
        const page = await store.scanForRewrap({
          notKekId: '2',
          limit: 3,
          after: { id: ids[0] ?? '', version: 1 },
        });
        assert.deepEqual(
          page.map((r) => [r.id, r.version]),
          [
            [ids[0], 2],
            [ids[1], 1],
            [ids[1], 2],
          ],
        );
        if (store.listKekIds !== undefined) assert.deepEqual(await store.listKekIds(), ['1']);
      });

      test('rewrapAll moves every version to the new primary KEK; values still open', async ({
        make,
        store,
      }) => {
        const before = make(keys1, { maxVersions: 3 });
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
          const { id } = await before.vault.put({
            kind: 'k',
            owner: 'o',
            value: `value-${i}-0123456789`,
          });
          if (i % 2 === 0) await before.vault.rotate(id, `value-${i}-rotated-0123`);
          ids.push(id);
        }
        await before.vault.delete(ids[6] ?? '');
        const after = make(keys2, { maxVersions: 3 });
        const result = await after.vault.rewrapAll({ batchSize: 3 });
        assert.equal(result.primaryKekId, '2');
        assert.equal(result.rewrapped, 11);
        assert.deepEqual(result.failed, []);
        assert.deepEqual(await store.scanForRewrap({ notKekId: '2', limit: 100 }), []);
        assert.deepEqual(await after.vault.verifyKeys(), { kekIds: ['2'], primaryKekId: '2' });
        for (let i = 0; i < 6; i++) {
          const v = await after.reader.reveal(ids[i] ?? '', who);
          assert.equal(
            v.expose(),
            i % 2 === 0 ? `value-${i}-rotated-0123` : `value-${i}-0123456789`,
          );
        }
        const second = await after.vault.rewrapAll();
        assert.equal(second.scanned, 0);
      });

      test('listVersionsByKek returns only rows under that KEK, within the limit', async ({
        store,
        make,
      }) => {
        if (store.listVersionsByKek === undefined) return;
        const before = make(keys1, { maxVersions: 3 });
        for (let i = 0; i < 5; i++) {
          await before.vault.put({ kind: 'k', owner: 'o', value: `value-${i}-0123456789` });
        }
        const after = make(keys2);
        await after.vault.put({ kind: 'k', owner: 'o', value: 'value-new-0123456789' });
        const under1 = await store.listVersionsByKek('1', 3);
        assert.equal(under1.length, 3);
        assert.ok(under1.every((r) => r.kekId === '1'));
        const under2 = await store.listVersionsByKek('2', 100);
        assert.equal(under2.length, 1);
        assert.equal(under2[0]?.kekId, '2');
        assert.deepEqual(await store.listVersionsByKek('9', 10), []);
      });

      test('verifyKeys fails with KEK_MISMATCH when a stored KEK id has other key bytes', async ({
        make,
      }) => {
        const { vault } = make(keys1);
        await vault.put({ kind: 'k', owner: 'o', value: 'value-0123456789' });
        assert.deepEqual(await vault.verifyKeys(), { kekIds: ['1'], primaryKekId: '1' });
        // The same id "1", regenerated: a different key.
        const wrong = make(keysWith([{ id: 1, key: generateKek().expose(), status: 'primary' }]));
        await assert.rejects(wrong.vault.verifyKeys(), (error: unknown) => {
          assert.ok(isCofferError(error, 'KEK_MISMATCH'), `got ${String(error)}`);
          assert.deepEqual(error.details, { kekIds: ['1'] });
          return true;
        });
      });
    });

    describe('owner conditions', () => {
      test('every by-id method scoped to another owner answers as for a missing id and changes nothing', async ({
        store,
        make,
      }) => {
        const { vault } = make(keys1, { maxVersions: 1 });
        const { id } = await vault.put({
          kind: 'k',
          owner: 'org_b',
          name: 'theirs',
          status: 'active',
          value: 'value-v1-0123456789',
        });
        await vault.rotate(id, 'value-v2-0123456789');
        const missing = '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3';
        const mine = { owner: 'org_a' };
        const snapshot = async () => ({
          entry: await store.getEntry(id),
          rows: (await store.listVersions(id)).map((r) => [r.version, r.kekId, toHex(r.sealed)]),
        });
        const before = await snapshot();
        const row = await store.getVersion(id, 2);
        assert.ok(row !== undefined);
        for (const target of [id, missing]) {
          const label = target === id ? "another owner's id" : 'a missing id';
          assert.equal(await store.getEntry(target, mine), undefined, `getEntry: ${label}`);
          assert.equal(await store.getVersion(target, 2, mine), undefined, `getVersion: ${label}`);
          assert.equal(await store.getVersion(target, 1, mine), undefined, `getVersion: ${label}`);
          assert.deepEqual(await store.listVersions(target, mine), [], `listVersions: ${label}`);
          if (store.getEntryWithVersion !== undefined) {
            assert.equal(await store.getEntryWithVersion(target, undefined, mine), undefined);
            assert.equal(await store.getEntryWithVersion(target, 2, mine), undefined);
          }
          const next: VaultVersionRecord = {
            ...row,
            id: target,
            version: 3,
            createdAt: 1_760_000_000_000,
          };
          assert.equal(
            await store.rotate({
              id: target,
              owner: 'org_a',
              expectedVersion: 2,
              next,
              preview: 'p',
              keepVersions: 0,
            }),
            false,
            `rotate: ${label}`,
          );
          assert.equal(
            await store.updateEntry({
              id: target,
              owner: 'org_a',
              expectedRevision: 1,
              expectedVersion: 2,
              changes: { status: 'stolen', label: 'stolen', metadata: { stolen: true } },
            }),
            false,
            `updateEntry: ${label}`,
          );
          assert.equal(await store.markDeleted(target, 5, mine), false, `markDeleted: ${label}`);
          assert.equal(
            await store.destroyEntry(target, { owner: 'org_a' }),
            false,
            `destroyEntry: ${label}`,
          );
        }
        assert.equal(await store.getEntryByName('org_a', 'theirs'), undefined);
        if (store.getEntryWithVersionByName !== undefined) {
          assert.equal(await store.getEntryWithVersionByName('org_a', 'theirs'), undefined);
        }
        assert.deepEqual(await snapshot(), before, "another owner's entry changed");
        // Deleted by its owner: restoring or purging it as someone else does nothing either.
        assert.equal(await store.markDeleted(id, 1000, { owner: 'org_b' }), true);
        const deleted = await snapshot();
        assert.equal(await store.markRestored(id, mine), false, 'markRestored of another owner');
        assert.equal(
          await store.destroyEntry(id, { owner: 'org_a', deletedBefore: Number.MAX_SAFE_INTEGER }),
          false,
          'destroyEntry (purge) of another owner',
        );
        assert.deepEqual(await snapshot(), deleted, "another owner's deleted entry changed");
        // Its own owner reaches it through every method.
        const theirs = { owner: 'org_b' };
        assert.equal(await store.markRestored(id, theirs), true);
        assert.equal((await store.getEntry(id, theirs))?.id, id);
        assert.equal((await store.getVersion(id, 2, theirs))?.version, 2);
        assert.deepEqual(
          (await store.listVersions(id, theirs)).map((r) => r.version),
          [2, 1],
        );
        if (store.getEntryWithVersion !== undefined) {
          assert.equal(
            (await store.getEntryWithVersion(id, undefined, theirs))?.version?.version,
            2,
          );
          assert.equal((await store.getEntryWithVersion(id, 1, theirs))?.version?.version, 1);
        }
        assert.equal(
          await store.updateEntry({
            id,
            owner: 'org_b',
            expectedRevision: 1,
            changes: { status: 'paused' },
          }),
          true,
        );
        assert.equal(
          await store.rotate({
            id,
            owner: 'org_b',
            expectedVersion: 2,
            next: { ...row, version: 3, createdAt: 1_760_000_000_000 },
            preview: 'p3',
            keepVersions: 5,
          }),
          true,
        );
        assert.equal(await store.markDeleted(id, 2000, theirs), true);
        assert.equal(await store.destroyEntry(id, { owner: 'org_b' }), true);
        assert.equal(await store.getEntry(id), undefined);
      });

      test('owners compare exactly: case, trailing spaces and Unicode normalization make other owners', async ({
        store,
        vault,
      }) => {
        // A store on a case-insensitive or space-padding collation (MySQL's utf8mb4_general_ci,
        // utf8mb4_bin) would answer one of these owners with another's entries.
        const owners = ['org_é', 'ORG_É', 'org_é ', 'org_e\u0301', ' org_é'];
        const ids: string[] = [];
        for (const owner of owners) {
          ids.push(
            (
              await vault.put({
                kind: 'k',
                owner,
                name: 'n',
                value: `value-${ids.length}-0123456789`,
              })
            ).id,
          );
        }
        for (const [i, owner] of owners.entries()) {
          const label = JSON.stringify(owner);
          assert.deepEqual(
            (await store.listEntries({ owner, limit: 10 })).map((e) => e.id),
            [ids[i]],
            `listEntries ${label}`,
          );
          assert.equal((await store.getEntryByName(owner, 'n'))?.id, ids[i], `by name ${label}`);
          for (const [j, id] of ids.entries()) {
            const found = await store.getEntry(id, { owner });
            assert.equal(found?.id, i === j ? id : undefined, `getEntry ${label} of ${j}`);
          }
        }
      });

      test('an owner text columns cannot hold as given (an unpaired surrogate, NUL) is no other owner: nothing found, nothing changed', async ({
        store,
        vault,
      }) => {
        // SQL drivers encode text as UTF-8 and turn an unpaired surrogate into U+FFFD, so an
        // owner condition bound as given would match the entries of the owner spelled with U+FFFD;
        // PostgreSQL refuses NUL in text outright. The vault refuses such owners, but a store is
        // also called directly: its owner condition must not depend on the driver's re-encoding.
        const owner = 'org_\uFFFD';
        const { id } = await vault.put({
          kind: 'k',
          owner,
          name: 'n',
          value: 'value-fffd-0123456789',
        });
        const row = await store.getVersion(id, 1);
        assert.ok(row !== undefined);
        const snapshot = async () => ({
          entry: await store.getEntry(id),
          rows: (await store.listVersions(id)).map((r) => [r.version, r.kekId, toHex(r.sealed)]),
        });
        const before = await snapshot();
        for (const other of ['org_\uD800', 'org_\uDFFF', 'org_\uD83D', 'org_\u0000']) {
          const label = JSON.stringify(other);
          const mine = { owner: other };
          assert.equal(await store.getEntry(id, mine), undefined, `getEntry ${label}`);
          assert.equal(await store.getVersion(id, 1, mine), undefined, `getVersion ${label}`);
          assert.deepEqual(await store.listVersions(id, mine), [], `listVersions ${label}`);
          if (store.getEntryWithVersion !== undefined) {
            assert.equal(await store.getEntryWithVersion(id, undefined, mine), undefined, label);
          }
          assert.equal(
            await store.getEntryByName(other, 'n'),
            undefined,
            `getEntryByName ${label}`,
          );
          if (store.getEntryWithVersionByName !== undefined) {
            assert.equal(await store.getEntryWithVersionByName(other, 'n'), undefined, label);
          }
          assert.deepEqual(
            await store.listEntries({ owner: other, limit: 10, includeDeleted: true }),
            [],
            `listEntries ${label}`,
          );
          const next: VaultVersionRecord = { ...row, version: 2, createdAt: 1_760_000_000_000 };
          assert.equal(
            await store.rotate({
              id,
              owner: other,
              expectedVersion: 1,
              next,
              preview: 'p',
              keepVersions: 0,
            }),
            false,
            `rotate ${label}`,
          );
          assert.equal(
            await store.updateEntry({
              id,
              owner: other,
              expectedRevision: 1,
              changes: { status: 'stolen' },
            }),
            false,
            `updateEntry ${label}`,
          );
          assert.equal(await store.markDeleted(id, 5, mine), false, `markDeleted ${label}`);
          assert.equal(await store.destroyEntry(id, { owner: other }), false, `destroy ${label}`);
        }
        assert.deepEqual(await snapshot(), before, 'the U+FFFD owner’s entry changed');
      });

      test('forOwner: another owner’s id is NOT_FOUND everywhere, as a missing id, and lists stay apart', async ({
        vault,
        reader,
      }) => {
        const theirs = await vault
          .forOwner('org_b')
          .put({ kind: 'k', value: 'value-b-0123456789' });
        const mine = await vault.forOwner('org_a').put({ kind: 'k', value: 'value-a-0123456789' });
        const a = vault.forOwner('org_a');
        const r = reader.forOwner('org_a');
        const calls: Array<(id: string) => Promise<unknown>> = [
          (id) => a.describe(id),
          (id) => a.rotate(id, 'value-stolen-0123456'),
          (id) => a.update(id, { status: 'stolen' }),
          (id) => a.delete(id),
          (id) => a.restore(id),
          (id) => a.destroy(id),
          (id) => r.reveal(id, who),
          (id) => r.revealBytes(id, who),
          (id) => r.revealVersions(id, who),
        ];
        const missing = '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3';
        for (const call of calls) {
          for (const id of [theirs.id, missing]) {
            await assert.rejects(call(id), (error: unknown) => {
              assert.ok(isCofferError(error, 'NOT_FOUND'), `got ${String(error)}`);
              assert.equal(
                error.message,
                `No vault entry with id "${id}" exists (it may have been destroyed or purged).`,
              );
              assert.deepEqual(error.details, { id });
              return true;
            });
          }
        }
        const info = await vault.describe(theirs.id);
        assert.equal(info.version, 1);
        assert.equal(info.status, null);
        assert.equal(info.deletedAt, null);
        assert.equal((await reader.reveal(theirs.id, who)).expose(), 'value-b-0123456789');
        assert.deepEqual(
          (await a.list()).items.map((e) => e.id),
          [mine.id],
        );
      });
    });

    describe('named entries', () => {
      test('name, status and revision round-trip through every read', async ({ store, vault }) => {
        const { id } = await vault.put({
          kind: 'k',
          owner: 'o_named',
          name: 'Provider:openai_1.x-y',
          status: 'active',
          value: 'value-named-0123456789',
        });
        const check = (e: VaultEntryRecord | undefined, where: string): void => {
          assert.ok(e !== undefined, where);
          assert.equal(e.name, 'Provider:openai_1.x-y', where);
          assert.equal(e.status, 'active', where);
          assert.equal(e.revision, 1, where);
        };
        check(await store.getEntry(id), 'getEntry');
        check(await store.getEntry(id, { owner: 'o_named' }), 'getEntry (scoped)');
        check(await store.getEntryByName('o_named', 'Provider:openai_1.x-y'), 'getEntryByName');
        check((await store.listEntries({ owner: 'o_named', limit: 10 }))[0], 'listEntries');
        check((await store.getEntryWithVersion?.(id))?.entry ?? (await store.getEntry(id)), 'gEWV');
        if (store.getEntryWithVersionByName !== undefined) {
          const found = await store.getEntryWithVersionByName('o_named', 'Provider:openai_1.x-y');
          check(found?.entry, 'getEntryWithVersionByName');
          assert.equal(found?.version?.version, 1);
        }
        await store.markDeleted(id, 1000);
        check((await store.scanExpired(2000, 10))[0], 'scanExpired');
        const plain = await vault.put({ kind: 'k', owner: 'o_named', value: 'value-0123456789' });
        const e = await store.getEntry(plain.id);
        assert.equal(e?.name, null);
        assert.equal(e?.status, null);
        assert.equal(e?.revision, 1);
      });

      test('insertEntry of a name a live entry of the owner holds throws NAME_TAKEN and writes nothing', async ({
        store,
        vault,
        fixture,
      }) => {
        const first = await vault.put({
          kind: 'k',
          owner: 'o',
          name: 'n',
          value: 'value-1-0123456789',
        });
        const entry = await store.getEntry(first.id);
        const row = await store.getVersion(first.id, 1);
        assert.ok(entry !== undefined && row !== undefined);
        const copyId = '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3';
        await assert.rejects(
          store.insertEntry({ ...entry, id: copyId }, { ...row, id: copyId }),
          (error: unknown) => {
            assert.ok(isCofferError(error, 'NAME_TAKEN'), `got ${String(error)}`);
            return true;
          },
        );
        assert.equal(await store.getEntry(copyId), undefined);
        assert.deepEqual(await store.listVersions(copyId), []);
        await rejectsWithCode(
          vault.put({ kind: 'k', owner: 'o', name: 'n', value: 'value-2-0123456789' }),
          'NAME_TAKEN',
        );
        assert.equal((await store.listEntries({ owner: 'o', limit: 10 })).length, 1);
        if (fixture.rawDump !== undefined) {
          assert.ok(!contains(await fixture.rawDump(), copyId), 'the refused row was stored');
        }
        // Another owner, or a deleted holder, do not take it.
        await vault.put({ kind: 'k', owner: 'o2', name: 'n', value: 'value-3-0123456789' });
        await vault.delete(first.id);
        await vault.put({ kind: 'k', owner: 'o', name: 'n', value: 'value-4-0123456789' });
        assert.equal(
          (await store.listEntries({ owner: 'o', limit: 10, includeDeleted: true })).length,
          2,
        );
      });

      test('of concurrent puts of one name exactly one is stored', async ({ vault, store }) => {
        const settled = await Promise.allSettled(
          Array.from({ length: 12 }, (_, i) =>
            vault.put({ kind: 'k', owner: 'o_race', name: 'race', value: `value-${i}-0123456789` }),
          ),
        );
        assert.equal(settled.filter((s) => s.status === 'fulfilled').length, 1);
        for (const s of settled) {
          if (s.status === 'rejected') assert.ok(isCofferError(s.reason, 'NAME_TAKEN'));
        }
        assert.equal((await store.listEntries({ owner: 'o_race', limit: 20 })).length, 1);
      });

      test('markRestored of an entry whose name was taken meanwhile throws NAME_TAKEN and leaves it deleted', async ({
        store,
        vault,
      }) => {
        const old = await vault.put({
          kind: 'k',
          owner: 'o',
          name: 'n',
          value: 'value-1-0123456789',
        });
        await vault.delete(old.id);
        const deletedAt = (await store.getEntry(old.id))?.deletedAt;
        const taker = await vault.put({
          kind: 'k',
          owner: 'o',
          name: 'n',
          value: 'value-2-0123456789',
        });
        await assert.rejects(store.markRestored(old.id), (error: unknown) => {
          assert.ok(isCofferError(error, 'NAME_TAKEN'), `got ${String(error)}`);
          return true;
        });
        assert.equal((await store.getEntry(old.id))?.deletedAt, deletedAt);
        assert.equal((await store.getEntryByName('o', 'n'))?.id, taker.id);
        await rejectsWithCode(vault.restore(old.id), 'NAME_TAKEN');
        await vault.delete(taker.id);
        assert.equal(await store.markRestored(old.id), true);
        assert.equal((await store.getEntryByName('o', 'n'))?.id, old.id);
      });

      test('getEntryByName finds only the owner’s live entry of that exact name', async ({
        store,
        vault,
      }) => {
        const live = await vault.put({
          kind: 'k',
          owner: 'o',
          name: 'Key',
          value: 'value-1-0123456789',
        });
        const gone = await vault.put({
          kind: 'k',
          owner: 'o',
          name: 'gone',
          value: 'value-2-0123456789',
        });
        await vault.delete(gone.id);
        assert.equal((await store.getEntryByName('o', 'Key'))?.id, live.id);
        assert.equal(await store.getEntryByName('o', 'key'), undefined, 'names are case-sensitive');
        assert.equal(await store.getEntryByName('o', 'Key '), undefined);
        assert.equal(await store.getEntryByName('o ', 'Key'), undefined);
        assert.equal(await store.getEntryByName('O', 'Key'), undefined);
        assert.equal(
          await store.getEntryByName('o', 'gone'),
          undefined,
          'a deleted entry was found',
        );
        assert.equal(await store.getEntryByName('other', 'Key'), undefined);
        // Copies out.
        const found = await store.getEntryByName('o', 'Key');
        assert.ok(found !== undefined);
        found.metadata.changed = true;
        assert.deepEqual((await store.getEntryByName('o', 'Key'))?.metadata, {});
      });

      test('getEntryWithVersionByName (when implemented) reads the live named entry with its current or a requested version', async ({
        store,
        make,
      }) => {
        const read = store.getEntryWithVersionByName?.bind(store);
        if (read === undefined) return;
        const { vault } = make(keys1, { maxVersions: 1 });
        const { id } = await vault.put({
          kind: 'k',
          owner: 'o',
          name: 'n',
          value: 'value-v1-0123456789',
        });
        for (let v = 2; v <= 3; v++) await vault.rotate(id, `value-v${v}-0123456789`);
        const entry = await store.getEntry(id);
        const current = await store.getVersion(id, 3);
        const earlier = await store.getVersion(id, 2);
        assert.ok(entry !== undefined && current !== undefined && earlier !== undefined);
        assert.deepEqual(await read('o', 'n'), { entry, version: current });
        assert.deepEqual(await read('o', 'n', 2), { entry, version: earlier });
        assert.deepEqual(await read('o', 'n', 1), { entry, version: undefined });
        assert.equal(await read('o', 'm'), undefined);
        assert.equal(await read('p', 'n'), undefined);
        await vault.delete(id);
        assert.equal(await read('o', 'n'), undefined, 'a deleted entry was read by name');
      });
    });

    describe('updates', () => {
      test('updateEntry sets only the given fields and bumps the revision, check-and-set on revision and version', async ({
        store,
        vault,
      }) => {
        const { id } = await vault.put({
          kind: 'k',
          owner: 'o',
          label: 'L',
          status: 'active',
          metadata: { a: 1 },
          value: 'value-v1-0123456789',
        });
        const before = await store.getEntry(id);
        assert.ok(before !== undefined);
        const stale = [
          { expectedRevision: 2 },
          { expectedRevision: 1, expectedVersion: 2 },
          { expectedRevision: 0 },
        ];
        for (const condition of stale) {
          assert.equal(
            await store.updateEntry({ id, ...condition, changes: { status: 'x' } }),
            false,
            JSON.stringify(condition),
          );
        }
        assert.deepEqual(await store.getEntry(id), before);
        assert.equal(
          await store.updateEntry({
            id,
            expectedRevision: 1,
            expectedVersion: 1,
            changes: { status: 'invalid' },
          }),
          true,
        );
        assert.deepEqual(await store.getEntry(id), { ...before, status: 'invalid', revision: 2 });
        assert.equal(
          await store.updateEntry({
            id,
            expectedRevision: 2,
            changes: { label: null, metadata: { b: [true, null, 'é'] } },
          }),
          true,
        );
        assert.deepEqual(await store.getEntry(id), {
          ...before,
          status: 'invalid',
          label: null,
          metadata: { b: [true, null, 'é'] },
          revision: 3,
        });
        assert.equal(
          await store.updateEntry({ id, expectedRevision: 3, changes: { status: null } }),
          true,
        );
        assert.equal((await store.getEntry(id))?.status, null);
        // Not on a soft-deleted entry.
        await vault.delete(id);
        assert.equal(
          await store.updateEntry({ id, expectedRevision: 4, changes: { status: 'x' } }),
          false,
        );
        assert.equal((await store.getEntry(id))?.revision, 4);
      });

      test('updateEntry: exactly one of concurrent updates from one revision wins', async ({
        store,
        vault,
      }) => {
        const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-v1-0123456789' });
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            store.updateEntry({ id, expectedRevision: 1, changes: { metadata: { writer: i } } }),
          ),
        );
        assert.equal(results.filter(Boolean).length, 1);
        const e = await store.getEntry(id);
        assert.equal(e?.revision, 2);
        assert.deepEqual(e?.metadata, { writer: results.indexOf(true) });
      });

      test('an update conditioned on a version never applies once a rotation moved past it', async ({
        store,
        vault,
      }) => {
        const { id } = await vault.put({
          kind: 'k',
          owner: 'o',
          status: 'active',
          value: 'value-v1-0123456789',
        });
        const row = await store.getVersion(id, 1);
        assert.ok(row !== undefined);
        const [rotated, updated] = await Promise.all([
          store.rotate({
            id,
            expectedVersion: 1,
            next: { ...row, version: 2, createdAt: 1_760_000_000_000 },
            preview: 'p',
            keepVersions: 1,
          }),
          store.updateEntry({
            id,
            expectedRevision: 1,
            expectedVersion: 1,
            changes: { status: 'invalid' },
          }),
        ]);
        assert.equal(rotated, true);
        const e = await store.getEntry(id);
        assert.equal(e?.version, 2);
        // Either the update came first (and applied to version 1) or it did not apply at all.
        if (updated) assert.equal(e?.status, 'invalid');
        else assert.equal(e?.status, 'active');
        assert.equal(
          await store.updateEntry({
            id,
            expectedRevision: e?.revision ?? 0,
            expectedVersion: 1,
            changes: { status: 'invalid' },
          }),
          false,
        );
        assert.equal(
          (await store.getEntry(id))?.status,
          updated ? 'invalid' : 'active',
          'an update for version 1 applied to version 2',
        );
        // A rotation keeps the revision.
        assert.equal((await store.getEntry(id))?.revision, updated ? 2 : 1);
      });

      test('vault.update validates like put and is a check-and-set through the vault', async ({
        vault,
      }) => {
        const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-v1-0123456789' });
        await rejectsWithCode(vault.update(id, { metadata: { a: 'x\u0000' } }), 'INVALID_INPUT');
        await rejectsWithCode(vault.update(id, { status: 'Not A Status' }), 'INVALID_INPUT');
        const info = await vault.update(
          id,
          { status: 'active', metadata: { n: 1 } },
          { expectedRevision: 1 },
        );
        assert.equal(info.revision, 2);
        await rejectsWithCode(
          vault.update(id, { status: 'x' }, { expectedRevision: 1 }),
          'REVISION_CONFLICT',
        );
        assert.deepEqual((await vault.describe(id)).metadata, { n: 1 });
      });
    });

    describe('storage holds no plaintext; sealed values are bound to their row', () => {
      test('no value, and no hex or base64 of it, appears in the raw dump', async ({
        vault,
        fixture,
      }) => {
        if (fixture.rawDump === undefined) return;
        const secrets = ['PLAINTEXT-MARKER-one-7f3a9c2e41', 'PLAINTEXT-MARKER-two-0b8d6e5f12'];
        const { id } = await vault.put({
          kind: 'k',
          owner: 'org_dump_check',
          label: 'visible-label',
          value: secrets[0] ?? '',
        });
        await vault.rotate(id, secrets[1] ?? '');
        const dump = await fixture.rawDump();
        assert.ok(
          contains(dump, 'org_dump_check'),
          'rawDump must return the stored rows (owner not found)',
        );
        for (const s of secrets) {
          assert.ok(!contains(dump, s), 'a plaintext value reached storage');
          assert.ok(
            !contains(dump, toHex(utf8Encode(s))),
            'a hex-encoded plaintext reached storage',
          );
          assert.ok(
            !contains(dump, Buffer.from(s).toString('base64')),
            'a base64 plaintext reached storage',
          );
          assert.ok(!contains(dump, s.slice(0, 20)), 'a plaintext prefix reached storage');
        }
      });

      test('a sealed value swapped into another row, owner or version does not open', async ({
        vault,
        reader,
        store,
      }) => {
        const a = await vault.put({ kind: 'k', owner: 'org_a', value: 'value-a-0123456789' });
        const b = await vault.put({ kind: 'k', owner: 'org_b', value: 'value-b-0123456789' });
        await vault.rotate(b.id, 'value-b2-0123456789');
        const rowA = await store.getVersion(a.id, 1);
        const rowB1 = await store.getVersion(b.id, 1);
        const rowB2 = await store.getVersion(b.id, 2);
        assert.ok(rowA !== undefined && rowB1 !== undefined && rowB2 !== undefined);
        assert.ok(
          await store.replaceSealed({
            id: a.id,
            version: 1,
            expectedSealed: rowA.sealed,
            sealed: rowB2.sealed,
            kekId: rowB2.kekId,
          }),
        );
        assert.ok(
          await store.replaceSealed({
            id: b.id,
            version: 2,
            expectedSealed: rowB2.sealed,
            sealed: rowB1.sealed,
            kekId: rowB1.kekId,
          }),
        );
        await rejectsWithCode(reader.reveal(a.id, who), 'DECRYPT_FAILED');
        await rejectsWithCode(reader.reveal(b.id, who), 'DECRYPT_FAILED');
        assert.equal(
          (await reader.reveal(b.id, { ...who, version: 1 })).expose(),
          'value-b-0123456789',
        );
      });
    });
  });
}
