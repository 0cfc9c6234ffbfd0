// scripts/check-doc-blocks.mjs finds every TypeScript block, including fences indented inside list
// items, works from a checkout path that needs percent-encoding in a URL, and fails loudly on a
// fence it cannot read instead of skipping it. Runs its `--list` mode (no type-check) on small
// repositories made in a temporary directory, and once on this repository.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = join(repo, 'scripts', 'check-doc-blocks.mjs');
const temp = mkdtempSync(join(tmpdir(), 'coffer-doc-blocks-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

interface Listed {
  file: string;
  line: number;
  ignored: boolean;
  kysely: string[];
  code: string;
}

let made = 0;
/** A throwaway repository under a path with a space, an accent and a literal `%20`. */
function fakeRepo(files: Record<string, string>): string {
  const dir = join(temp, `my repo é %20 ${++made}`);
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  copyFileSync(script, join(dir, 'scripts', 'check-doc-blocks.mjs'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function list(dir: string): { status: number | null; blocks: Listed[]; err: string } {
  const run = spawnSync(
    process.execPath,
    [join(dir, 'scripts', 'check-doc-blocks.mjs'), '--list'],
    {
      encoding: 'utf8',
    },
  );
  const blocks = run.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Listed);
  return { status: run.status, blocks, err: run.stderr };
}

const fence = '```';

describe('scripts/check-doc-blocks.mjs', () => {
  it('finds top-level and indented blocks from a path with a space, an accent and %20', () => {
    const dir = fakeRepo({
      'README.md': `# x\n\n${fence}ts\nconst a: number = 1;\n${fence}\n`,
      'docs/guide.md': [
        '1. Install:',
        '',
        `   ${fence}sh`,
        `   echo "${fence}ts in a shell block is only text"`,
        `   ${fence}`,
        '2. Use it:',
        '',
        `   ${fence}ts`,
        '   import { x } from "./x.ts";',
        '   if (x) {',
        '     x();',
        '   }',
        `   ${fence}`,
        '',
        `${fence}ts ignore`,
        'deliberately wrong',
        `${fence}`,
        '',
      ].join('\n'),
      'packages/p/README.md': `~~~typescript\nlet b = 2;\n~~~\n`,
    });
    const { status, blocks, err } = list(dir);
    expect(err).toBe('');
    expect(status).toBe(0);
    const both = ['0.28', '0.29'];
    expect(blocks).toEqual([
      { file: 'README.md', line: 4, ignored: false, kysely: both, code: 'const a: number = 1;' },
      {
        file: join('docs', 'guide.md'),
        line: 9,
        ignored: false,
        kysely: both,
        code: 'import { x } from "./x.ts";\nif (x) {\n  x();\n}',
      },
      {
        file: join('docs', 'guide.md'),
        line: 16,
        ignored: true,
        kysely: both,
        code: 'deliberately wrong',
      },
      {
        file: join('packages', 'p', 'README.md'),
        line: 2,
        ignored: false,
        kysely: both,
        code: 'let b = 2;',
      },
    ]);
  });

  it('checks a block against both kysely versions unless its fence names one', () => {
    const dir = fakeRepo({
      'README.md': [
        `${fence}ts`,
        'const both = 1;',
        fence,
        `${fence}ts kysely-0.29`,
        "import { Migrator } from 'kysely/migration';",
        fence,
        `${fence}ts kysely-0.28`,
        "import { Migrator } from 'kysely';",
        fence,
        '',
      ].join('\n'),
    });
    const { status, blocks, err } = list(dir);
    expect(status, err).toBe(0);
    expect(blocks.map((b) => b.kysely)).toEqual([['0.28', '0.29'], ['0.29'], ['0.28']]);
  });

  it.each([
    ['an unclosed fence', `text\n\n${fence}ts\nconst a = 1;\n`, 3],
    ['a fence inside a blockquote', `> ${fence}ts\n> const a = 1;\n> ${fence}\n`, 1],
    ['a tab-indented fence', `-\tlist\n\t${fence}ts\n\tconst a = 1;\n\t${fence}\n`, 2],
    ['a fence after other text', `see: ${fence}ts\nconst a = 1;\n${fence}\n`, 1],
  ])('fails loudly on %s, naming the file and line', (_label, markdown, line) => {
    const dir = fakeRepo({ 'docs/bad.md': markdown });
    const { status, err } = list(dir);
    expect(status).toBe(1);
    expect(err).toContain(`${join('docs', 'bad.md')}:${line}:`);
  });

  it('on this repository: checks the indented store-postgres block and skips no block', () => {
    const { status, blocks, err } = list(repo);
    expect(status, err).toBe(0);
    const migrator = blocks.find(
      (b) =>
        b.file === join('packages', 'store-postgres', 'README.md') &&
        b.code.startsWith("import { postgresMigrationProvider } from '@coffer/store-postgres';"),
    );
    expect(migrator?.ignored).toBe(false);
    const kysely = blocks.filter((b) => b.file === join('packages', 'store-kysely', 'README.md'));
    expect(kysely.map((b) => b.ignored)).toEqual([false]);
    expect(blocks.filter((b) => b.ignored)).toEqual([]);
  });
});
