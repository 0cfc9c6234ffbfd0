// Processes started from one V8 startup snapshot (a real `node --build-snapshot`, after a put that
// filled the id pool) must not hand out the same vault ids.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'coffer-vault-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('draw different vault ids from a copied id pool', async () => {
  const bundle = join(dir, 'entry.cjs');
  const blob = join(dir, 'snapshot.blob');
  await build({
    entryPoints: [fileURLToPath(new URL('./fixtures/snapshot-entry.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    conditions: ['@coffer/source'],
    outfile: bundle,
    logLevel: 'silent',
  });
  const run = (args: string[]): string =>
    execFileSync(process.execPath, args, { cwd: dir, timeout: 60_000 })
      .toString('utf8')
      .trim()
      .split('\n')
      .pop() ?? '';
  const ids = [
    run(['--snapshot-blob', blob, '--build-snapshot', bundle]),
    run(['--snapshot-blob', blob]),
    run(['--snapshot-blob', blob]),
  ];
  for (const id of ids)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  // The random part (after the 48-bit time) must differ in every process.
  expect(new Set(ids.map((id) => id.slice(14))).size).toBe(3);
}, 120_000);
