// The rewrap loop of docs/rotating-master-keys.md is run, not only type-checked: the block is
// extracted as the type-check extracts it, imported, and driven over rows sealed under an old key
// after the new key was made primary — as step 3 of the guide describes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { utf8Decode } from '@coffer/core';
import {
  createEnvelope,
  createLocalKeyProvider,
  formatKekEntry,
  generateKek,
  inspectSealed,
  Keyring,
} from '@coffer/envelope';
import { afterAll, describe, expect, it } from 'vitest';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(docs, '..');
const temp = mkdtempSync(join(tmpdir(), 'coffer-rotate-doc-'));
const savedKeys = process.env.COFFER_MASTER_KEYS;
afterAll(() => {
  if (savedKeys === undefined) delete process.env.COFFER_MASTER_KEYS;
  else process.env.COFFER_MASTER_KEYS = savedKeys;
  rmSync(temp, { recursive: true, force: true });
});

interface Row {
  id: string;
  tenant: string;
  sealed: string;
}
interface Rows {
  page(afterId: string, limit: number): Promise<Row[]>;
  replace(id: string, expected: string, sealed: string): Promise<boolean>;
}
type RewrapAll = (rows: Rows) => Promise<{ rewrapped: number; current: number }>;

/** The guide's `rewrapAll`, from the Markdown, as a module. */
async function loadRewrapAll(): Promise<RewrapAll> {
  const run = spawnSync(
    process.execPath,
    [join(repo, 'scripts', 'check-doc-blocks.mjs'), '--list'],
    {
      encoding: 'utf8',
    },
  );
  expect(run.status, run.stderr).toBe(0);
  const block = run.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { file: string; code: string })
    .find(
      (b) =>
        b.file === join('docs', 'rotating-master-keys.md') &&
        b.code.includes('export async function rewrapAll'),
    );
  expect(block).toBeDefined();
  symlinkSync(join(docs, 'node_modules'), join(temp, 'node_modules'), 'dir');
  const file = join(temp, 'rewrap-all.ts');
  writeFileSync(file, block?.code ?? '');
  const module = (await import(pathToFileURL(file).href)) as { rewrapAll: RewrapAll };
  return module.rewrapAll;
}

describe('docs/rotating-master-keys.md, step 3 (rewrap), run', () => {
  it('moves every value to the new primary key, leaves them readable, and is idempotent', async () => {
    const rewrapAll = await loadRewrapAll();
    const oldKey = generateKek();
    const newKey = generateKek();
    const before = Keyring.fromKeys([{ id: 3, key: oldKey, status: 'primary' }]);
    const sealer = createEnvelope({ provider: createLocalKeyProvider(before) });

    const table = new Map<string, Row>();
    const plain = new Map<string, string>();
    for (let i = 0; i < 7; i++) {
      const row = { id: `row-${String(i).padStart(2, '0')}`, tenant: `t${i % 2}`, sealed: '' };
      const value = `secret value ${i}`;
      row.sealed = await sealer.sealToString(value, {
        context: { rowId: row.id, tenant: row.tenant },
      });
      table.set(row.id, row);
      plain.set(row.id, value);
    }
    const rows: Rows = {
      page: async (afterId, limit) =>
        [...table.values()]
          .filter((r) => r.id > afterId)
          .sort((a, b) => (a.id < b.id ? -1 : 1))
          .slice(0, limit)
          .map((r) => ({ ...r })),
      replace: async (id, expected, sealed) => {
        const row = table.get(id);
        if (row === undefined || row.sealed !== expected) return false;
        row.sealed = sealed;
        return true;
      },
    };

    // Step 2 is done: key 4 is primary, key 3 still active.
    process.env.COFFER_MASTER_KEYS = [
      formatKekEntry({ id: 3, key: oldKey }).expose(),
      formatKekEntry({ id: 4, key: newKey, status: 'primary' }).expose(),
    ].join(',');
    expect(await rewrapAll(rows)).toEqual({ rewrapped: 7, current: 0 });
    expect(await rewrapAll(rows)).toEqual({ rewrapped: 0, current: 7 });

    // Step 4 would now be safe: with only the new key, every value still opens.
    const after = createEnvelope({
      provider: createLocalKeyProvider(
        Keyring.fromKeys([{ id: 4, key: newKey, status: 'primary' }]),
      ),
    });
    for (const row of table.values()) {
      expect(inspectSealed(row.sealed).kekId).toBe('4');
      const opened = await after.openString(row.sealed, {
        context: { rowId: row.id, tenant: row.tenant },
      });
      expect(utf8Decode(opened)).toBe(plain.get(row.id));
    }
  });
});
