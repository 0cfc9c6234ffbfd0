// Unusual but valid values round-trip exactly through SQLite, including NUL in a value (its
// preview shows U+FFFD). Metadata with NUL is refused by the vault on every store (conformance).
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createVault, createVaultReader, type JsonObject } from '@coffer/vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore, type SqliteStore } from '../src/index.js';
import { makeTempDir } from './temp-dir.js';

const dir = makeTempDir('edge');
let storage: SqliteStore;
const envelope = createEnvelope({
  provider: createLocalKeyProvider(
    Keyring.fromKeys([{ id: 1, key: generateKek().expose(), status: 'primary' }]),
  ),
});
const who = { actor: 't', purpose: 't' };

beforeAll(async () => {
  storage = createSqliteStore({ filename: dir.file('edge.db') });
  await storage.migrate();
});
afterAll(async () => {
  await storage.close();
  dir.remove();
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
    'NUL in the value and its preview',
    { owner: 'o', label: null, metadata: {}, value: '\u0000\u0000\u0000\u0000-0123456789abcdef' },
  ],
];

describe('SQLite: edge values', () => {
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
});
