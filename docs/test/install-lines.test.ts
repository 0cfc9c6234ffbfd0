// Every package README's install lines name every package its TypeScript blocks import (and the
// @types package of any that ships no types of its own), so a reader who copies the install line and
// then a block into an empty folder gets code that compiles and runs. Blocks come from
// scripts/check-doc-blocks.mjs --list; install lines are the `npm install …` lines of the README's
// shell blocks.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Listed {
  file: string;
  ignored: boolean;
  code: string;
}

const listed = spawnSync(
  process.execPath,
  [join(repo, 'scripts', 'check-doc-blocks.mjs'), '--list'],
  { encoding: 'utf8' },
);
const blocks = listed.stdout
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Listed);

const readmes = [...new Set(blocks.map((b) => b.file))].filter((f) =>
  /^packages\/[^/]+\/README\.md$/.test(f),
);

/** The package names a block imports: bare specifiers, without `node:` built-ins and subpaths. */
function importsOf(code: string): string[] {
  const names = new Set<string>();
  for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"]+)['"]/g)) {
    const specifier = m[1] ?? '';
    if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
    const parts = specifier.split('/');
    names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? ''));
  }
  return [...names];
}

/** Every package named on a `npm install` line of the README's shell blocks. */
function installedBy(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const block of markdown.matchAll(/^ *```(?:sh|bash|shell)\n([\s\S]*?)^ *```/gm)) {
    for (const command of (block[1] ?? '').split(/\n|&&/)) {
      const words = command.replace(/#.*$/, '').trim().split(/\s+/);
      if (words[0] !== 'npm' || (words[1] !== 'install' && words[1] !== 'i')) continue;
      for (const word of words.slice(2)) {
        if (!word.startsWith('-')) names.add(word.replace(/(.)@[^@/]*$/, '$1'));
      }
    }
  }
  return names;
}

/** Whether a dependency the docs use ships its own type declarations (read from the copy the doc
 * blocks are type-checked against). */
function shipsTypes(name: string): boolean {
  const dir = [join(repo, 'docs', 'node_modules', name), join(repo, 'node_modules', name)].find(
    (candidate) => existsSync(join(candidate, 'package.json')),
  );
  if (dir === undefined) throw new Error(`${name} is not installed for the docs`);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  if (manifest.types !== undefined || manifest.typings !== undefined) return true;
  if (manifest.typesVersions !== undefined) return true;
  if (JSON.stringify(manifest.exports ?? null).includes('"types"')) return true;
  // TypeScript also reads a declaration file next to an entry point (kysely 0.28 ships them so).
  const entries = [
    'index.js',
    ...JSON.stringify([manifest.main, manifest.exports]).matchAll(/"(\.?\/?[^"]+\.[cm]?js)"/g),
  ].map((m) => (typeof m === 'string' ? m : (m[1] ?? '')));
  return entries.some((entry) => existsSync(join(dir, entry.replace(/\.([cm]?)js$/, '.d.$1ts'))));
}

describe('package README install lines', () => {
  it('found the package READMEs and their blocks', () => {
    expect(listed.status, listed.stderr).toBe(0);
    expect(readmes).toContain('packages/store-sqlite/README.md');
    expect(readmes.length).toBeGreaterThanOrEqual(8);
  });

  it.each(readmes)('%s: the install lines name every package its blocks import', (file) => {
    const own = (
      JSON.parse(readFileSync(join(repo, dirname(file), 'package.json'), 'utf8')) as {
        name: string;
      }
    ).name;
    const installed = installedBy(readFileSync(join(repo, file), 'utf8'));
    const missing = new Set<string>();
    for (const block of blocks.filter((b) => b.file === file && !b.ignored)) {
      for (const name of importsOf(block.code)) {
        if (name === own) continue;
        if (!installed.has(name)) missing.add(name);
        if (!name.startsWith('@coffer/') && !shipsTypes(name)) {
          const types = `@types/${name.replace(/^@([^/]+)\//, '$1__')}`;
          if (!installed.has(types)) missing.add(types);
        }
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('reads install lines the way READMEs write them', () => {
    const fence = '```';
    expect([
      ...installedBy(
        `${fence}sh\nnpm install @coffer/a kysely@^0.29 && npm install --save-dev @types/pg\n${fence}\n   ${fence}sh\n   npm i hono # and a comment\n   ${fence}\n`,
      ),
    ]).toEqual(['@coffer/a', 'kysely', '@types/pg', 'hono']);
    expect(
      importsOf(
        "import pg from 'pg';\nimport { Migrator } from 'kysely/migration';\nimport type { X } from '@coffer/core';\nimport { readFileSync } from 'node:fs';",
      ),
    ).toEqual(['pg', 'kysely', '@coffer/core']);
  });
});
