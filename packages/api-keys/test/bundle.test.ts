// A single-file bundle (esbuild --bundle --platform=node, as serverless deployments build them) can
// create the bcrypt hasher and run its worker threads: the bundle is run from an empty directory,
// with no node_modules anywhere above it, so nothing can be loaded by package name or path. Built
// from the sources (the `@coffer/source` condition); the packed-tarball smoke test
// (scripts/smoke-packed.mjs) does the same with the published files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = mkdtempSync(join(tmpdir(), 'coffer-bundle-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const KEY = 'lp_live_01HX9Y6K7EJ4T2AB_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGztPTSg';

// What an application does with the hasher; top-level code runs in an async function so the same
// entry bundles to CommonJS (esbuild's default for --platform=node) and to ESM.
const entry = `
import { createBcryptHasher } from './src/index.ts';
async function main() {
  const hasher = createBcryptHasher({ cost: 4, threads: 2 });
  const key = ${JSON.stringify(KEY)};
  const [hash, other] = await Promise.all([hasher.hash(key), hasher.hash(key)]);
  const right = await hasher.verify(key, hash);
  const wrong = await hasher.verify(key.slice(0, -1) + 'A', hash);
  await hasher.close();
  console.log(JSON.stringify({ hash, other, right, wrong }));
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

describe('a single-file esbuild bundle', () => {
  it('has no node_modules above the directory it runs in', () => {
    let dir = outDir;
    while (dir !== parse(dir).root) {
      expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
      dir = dirname(dir);
    }
  });

  it.each(['cjs', 'esm'] as const)(
    'creates the bcrypt hasher and hashes and verifies in its worker threads (%s)',
    async (format) => {
      const outfile = join(outDir, format === 'esm' ? 'app.mjs' : 'app.cjs');
      await build({
        stdin: { contents: entry, resolveDir: packageDir, loader: 'ts' },
        bundle: true,
        platform: 'node',
        format,
        target: 'node20',
        conditions: ['@coffer/source'],
        outfile,
        logLevel: 'silent',
      });
      // One file, carrying bcryptjs's licence notice.
      expect(readFileSync(outfile, 'utf8')).toContain('@license BSD-3-Clause');
      const run = spawnSync(process.execPath, [outfile], {
        cwd: outDir,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const result = JSON.parse(run.stdout) as {
        hash: string;
        other: string;
        right: boolean;
        wrong: boolean;
      };
      expect(result.hash).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
      expect(result.other).not.toBe(result.hash); // a fresh salt per hash
      expect(result.right).toBe(true);
      expect(result.wrong).toBe(false);
      // The bundled worker's hashes are standard bcrypt.
      expect(bcrypt.compareSync(KEY, result.hash)).toBe(true);
    },
  );
});
