// Unusual but valid values round-trip exactly through PostgreSQL (unicode, limits, JSON shapes);
// what PostgreSQL cannot store (U+0000 in text or jsonb, unpaired surrogates in jsonb) is refused
// with INVALID_INPUT before anything is written.
import { isCofferError } from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createVault, createVaultReader, type JsonObject } from '@coffer/vault';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { createPostgresStore, type PostgresStore } from '../src/index.js';

let database: TestDatabase;
let storage: PostgresStore;
const envelope = createEnvelope({
  provider: createLocalKeyProvider(
    Keyring.fromKeys([{ id: 1, key: generateKek().expose(), status: 'primary' }]),
  ),
});
const who = { actor: 't', purpose: 't' };

beforeAll(async () => {
  database = await createTestDatabase('pg_edge_values');
  storage = createPostgresStore({ connectionString: database.url, poolSize: 2 });
  await storage.migrate();
});
afterAll(async () => {
  await storage?.close();
  await database?.drop();
});

function deep(n: number): JsonObject {
  return n === 0 ? { leaf: 'end' } : { d: deep(n - 1) };
}

const valid: Array<
  [string, { owner: string; label: string | null; metadata: JsonObject; value: string }]
> = [
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
    'limits: 256-character owner and label',
    { owner: 'o'.repeat(256), label: 'l'.repeat(256), metadata: {}, value: 'tok-long-0123456789' },
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

describe('PostgreSQL: edge values', () => {
  it.each(valid)('%s round-trip exactly', async (_label, input) => {
    const vault = createVault({ store: storage.vault, envelope });
    const reader = createVaultReader({ store: storage.vault, envelope, audit: 'unaudited' });
    const { id } = await vault.put({ kind: 'k', ...input });
    const info = await vault.describe(id);
    expect(info.owner).toBe(input.owner);
    expect(info.label).toBe(input.label);
    expect(info.metadata).toEqual(input.metadata);
    expect((await reader.reveal(id, who)).expose()).toBe(input.value);
    const listed = await vault.list({ owner: input.owner });
    expect(listed.items.map((i) => i.id)).toContain(id);
  });

  const refused: Array<[string, { metadata?: JsonObject; value?: string }, string]> = [
    ['NUL in a metadata string', { metadata: { a: 'x\u0000y' } }, 'metadata'],
    ['NUL in a metadata key', { metadata: { 'k\u0000': 'v' } }, 'metadata'],
    ['an unpaired surrogate in metadata', { metadata: { a: 'x\ud800y' } }, 'metadata'],
  ];
  it.each(refused)(
    '%s is refused with INVALID_INPUT and nothing is written',
    async (_l, input, parameter) => {
      const vault = createVault({ store: storage.vault, envelope });
      const before = await sql<{
        n: number;
      }>`select count(*)::int as n from coffer_vault_versions`.execute(storage.db);
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
      expect(isCofferError(caught, 'INVALID_INPUT')).toBe(true);
      expect((caught as { details?: unknown }).details).toEqual({ parameter });
      expect(String((caught as Error).message)).not.toContain('tok-refused');
      const after = await sql<{
        n: number;
      }>`select count(*)::int as n from coffer_vault_versions`.execute(storage.db);
      expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
      expect((await vault.list({ owner: 'org_refused' })).items).toEqual([]);
    },
  );

  it('a value whose preview would hold NUL is stored, the preview showing U+FFFD (put and rotate)', async () => {
    const vault = createVault({ store: storage.vault, envelope });
    const { id } = await vault.put({
      kind: 'k',
      owner: 'o',
      value: '\u0000\u0000\u0000\u0000-0123456789abcdef',
    });
    expect((await vault.describe(id)).preview).toBe('\uFFFD\uFFFD\uFFFD…cdef');
    await vault.rotate(id, '\u0000\u0000\u0000\u0000-9876543210fedcba');
    const info = await vault.describe(id);
    expect(info.version).toBe(2);
    expect(info.preview).toBe('\uFFFD\uFFFD\uFFFD…dcba');
  });
});
