// Unusual but valid values round-trip exactly (unicode, limits, JSON shapes, text that differs only
// in case or trailing spaces); U+0000 in text and JSON, and unpaired surrogates in JSON, are stored
// as given or, where the database cannot hold them, refused with INVALID_INPUT before anything is
// written; a value whose preview would show NUL is stored everywhere, the preview showing U+FFFD.
import { isCofferError } from '@coffer/core';
import { createVault, createVaultReader, type JsonObject } from '@coffer/vault';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectHarness, DialectStorage, TestDatabase } from './dialect-harness.js';
import { envelope1, who } from './fixtures.js';

function deep(n: number): JsonObject {
  return n === 0 ? { leaf: 'end' } : { d: deep(n - 1) };
}

type Input = { owner: string; label: string | null; metadata: JsonObject; value: string };

const valid: Array<[string, Input]> = [
  [
    'emoji and astral characters',
    {
      owner: 'org_🦊',
      label: 'Pixel 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓',
      metadata: { '🔑': '𝄞' },
      value: 'tok-🦊-0123456789',
    },
  ],
  [
    'right-to-left and combining marks',
    {
      owner: 'שלום',
      label: 'e\u0301 \u202Ebidi',
      metadata: { a: 'ا\u0651' },
      value: 'tok-rtl-0123456789',
    },
  ],
  [
    'zero-width characters',
    {
      owner: 'org\u200b_1',
      label: '\u2060x',
      metadata: { '\u200d': '\ufeff' },
      value: 'tok-zw-0123456789',
    },
  ],
  [
    'limits: 256-character owner and label, astral characters included',
    {
      owner: `${'o'.repeat(254)}🦊`,
      label: 'l'.repeat(256),
      metadata: {},
      value: 'tok-long-0123456789',
    },
  ],
  [
    'JSON shapes: deep nesting, arrays, numbers, empty keys',
    {
      owner: 'o',
      label: null,
      metadata: {
        deep: deep(14),
        arr: [1, -2.5, 1e300, 0, null, true, 'x', []],
        '': 'empty key',
        big: 9007199254740991,
      },
      value: 'tok-json-0123456789',
    },
  ],
  [
    'a literal backslash-u sequence in metadata',
    {
      owner: 'o',
      label: null,
      metadata: { s: 'back\\u0000slash \\ud800' },
      value: 'tok-esc-0123456789',
    },
  ],
  [
    'a value full of NULs that does not reach the preview',
    {
      owner: 'o',
      label: null,
      metadata: {},
      value: 'abcd\u0000\u0000\u0000\u0000\u0000\u0000\u0000wxyz',
    },
  ],
];

type Unstorable = [string, { metadata?: JsonObject; value?: string }, string];

const withNul: Unstorable[] = [
  ['NUL in a metadata string', { metadata: { a: 'x\u0000y' } }, 'metadata'],
  ['NUL in a metadata key', { metadata: { 'k\u0000': 'v' } }, 'metadata'],
];
const withSurrogate: Unstorable[] = [
  ['an unpaired surrogate in metadata', { metadata: { a: 'x\ud800y' } }, 'metadata'],
];

export function describeEdgeValues(h: DialectHarness): void {
  describe(`${h.name}: edge values`, () => {
    let database: TestDatabase;
    let storage: DialectStorage;
    beforeAll(async () => {
      database = await h.createDatabase('edge_values');
      storage = await database.open();
      await storage.migrate();
    });
    afterAll(async () => {
      await storage?.close();
      await database?.drop();
    });
    const versionRows = async (): Promise<number> => {
      const r = await sql<{ n: number | string }>`
        select count(*) as n from coffer_vault_versions`.execute(storage.db);
      return Number(r.rows[0]?.n);
    };

    it.each(valid)('%s round-trip exactly', async (_label, input) => {
      const vault = createVault({ store: storage.vault, envelope: envelope1 });
      const reader = createVaultReader({
        store: storage.vault,
        envelope: envelope1,
        audit: 'unaudited',
      });
      const { id } = await vault.put({ kind: 'k', ...input });
      const info = await vault.describe(id);
      expect(info.owner).toBe(input.owner);
      expect(info.label).toBe(input.label);
      expect(info.metadata).toEqual(input.metadata);
      expect((await reader.reveal(id, who)).expose()).toBe(input.value);
      const listed = await vault.list({ owner: input.owner });
      expect(listed.items.map((i) => i.id)).toContain(id);
    });

    it('a value whose preview would hold NUL is stored, the preview showing U+FFFD (put and rotate)', async () => {
      const vault = createVault({ store: storage.vault, envelope: envelope1 });
      const reader = createVaultReader({
        store: storage.vault,
        envelope: envelope1,
        audit: 'unaudited',
      });
      const value = '\u0000\u0000\u0000\u0000-0123456789abcdef';
      const { id } = await vault.put({ kind: 'k', owner: 'o', value });
      expect((await vault.describe(id)).preview).toBe('\uFFFD\uFFFD\uFFFD…cdef');
      await vault.rotate(id, '\u0000\u0000\u0000\u0000-9876543210fedcba');
      const info = await vault.describe(id);
      expect(info.version).toBe(2);
      expect(info.preview).toBe('\uFFFD\uFFFD\uFFFD…dcba');
      // The value itself is stored as given (sealed bytes hold any character).
      expect((await reader.reveal(id, { ...who, version: 1 })).expose()).toBe(value);
    });

    it('owners that differ only in case or trailing spaces are different owners', async () => {
      const vault = createVault({ store: storage.vault, envelope: envelope1 });
      const owners = ['org_case', 'ORG_CASE', 'org_case ', 'org_case  '];
      const ids = [];
      for (const owner of owners) {
        ids.push((await vault.put({ kind: 'k', owner, value: `tok-${owner}-0123456789` })).id);
      }
      for (const [i, owner] of owners.entries()) {
        expect((await vault.list({ owner })).items.map((e) => e.id)).toEqual([ids[i]]);
        expect((await vault.list({ owner, kind: 'k' })).items.map((e) => e.id)).toEqual([ids[i]]);
      }
    });

    // The vault refuses NUL and unpaired surrogates in metadata for every store (what PostgreSQL's
    // jsonb cannot hold must not work on SQLite and then break on a move), so every dialect sees
    // the same refusal, before anything reaches the store.
    const refused = [...withNul, ...withSurrogate];
    it.each(refused)(
      '%s is refused with INVALID_INPUT and nothing is written',
      async (_l, input, parameter) => {
        const vault = createVault({ store: storage.vault, envelope: envelope1 });
        const before = await versionRows();
        let caught: unknown;
        try {
          await vault.put({
            kind: 'k',
            owner: 'org_refused',
            value: 'tok-refused-0123456789',
            ...input,
          });
        } catch (e) {
          caught = e;
        }
        expect(isCofferError(caught, 'INVALID_INPUT'), String(caught)).toBe(true);
        expect((caught as { details?: unknown }).details).toEqual({ parameter });
        expect(String((caught as Error).message)).not.toContain('tok-refused');
        expect((await vault.list({ owner: 'org_refused' })).items).toEqual([]);
        expect(await versionRows()).toBe(before);
      },
    );

    // The vault refuses these too; the store is also called directly, and a driver would have
    // bound U+FFFD for the half surrogate: the row would have joined the owner spelled that way.
    it.each([
      ['owner', { owner: 'org_\uD800' }],
      ['label', { label: 'label \uDC00' }],
      ['status', { status: 's\uD83D' }],
      ['name', { name: 'n\uDFFF' }],
    ] as const)(
      'store.insertEntry with an unpaired surrogate in %s is INVALID_INPUT, nothing written',
      async (parameter, change) => {
        const id = '0190f5b2-7c1e-7a3b-9c4d-00000000fffd';
        const entry = {
          id,
          owner: 'org_\uFFFD',
          kind: 'k',
          label: null,
          name: null,
          status: null,
          metadata: {},
          preview: '…',
          version: 1,
          revision: 1,
          createdAt: 1_750_000_000_000,
          updatedAt: 1_750_000_000_000,
          deletedAt: null,
          ...change,
        };
        const row = { id, version: 1, kekId: '1', sealed: new Uint8Array([1, 2, 3]), createdAt: 1 };
        const before = await versionRows();
        const caught = await storage.vault.insertEntry(entry, row).catch((e: unknown) => e);
        expect(isCofferError(caught, 'INVALID_INPUT'), String(caught)).toBe(true);
        expect((caught as { details?: unknown }).details).toEqual({ parameter });
        expect(await storage.vault.getEntry(id)).toBeUndefined();
        expect(await versionRows()).toBe(before);
      },
    );
  });
}
