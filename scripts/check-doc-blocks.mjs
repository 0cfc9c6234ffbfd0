// Type-checks every TypeScript code block in the docs (README.md, docs/*.md, packages/*/README.md,
// examples/*/README.md) against the real packages, so the docs cannot drift from the code.
// Each ```ts block becomes its own module under docs/.blocks/ (git-ignored); a block fenced as
// ```ts ignore is skipped (use it only for deliberately wrong code, and say so next to it).
//
// Fences may be indented (inside list items): the fence's indentation is removed from its lines.
// A ```ts fence the checker cannot read (unclosed, tab-indented, inside a blockquote, after other
// text on the line) is an error, never silently skipped.
//
// coffer supports kysely 0.28 and 0.29 (docs/decisions.md, D20), so every block is checked twice:
// against 0.28's declarations (the workspace's kysely) and against 0.29's (the kysely-0.29 alias
// dev dependency). A block that only one version can compile (0.29 moved `Migrator` to
// `kysely/migration`) is fenced as ```ts kysely-0.28 or ```ts kysely-0.29 and checked against that
// version only.
//
//   node scripts/check-doc-blocks.mjs          extract and type-check (part of `pnpm typecheck`)
//   node scripts/check-doc-blocks.mjs --list   print the blocks found as JSON lines, check nothing
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// fileURLToPath, not URL.pathname: a checkout path with a space, an accent or a `%` is
// percent-encoded in the URL and would not exist on disk.
const root = fileURLToPath(new URL('..', import.meta.url));
const listOnly = process.argv.includes('--list');

const sources = [join(root, 'README.md')].filter((f) => existsSync(f));
const listMd = (dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.md'))
        .sort()
        .map((f) => join(dir, f))
    : [];
sources.push(...listMd(join(root, 'docs')));
for (const group of ['packages', 'examples']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir).sort()) sources.push(...listMd(join(dir, name)));
}

const TS_LANGS = new Set(['ts', 'typescript']);
const OPEN = /^( *)(`{3,}|~{3,})[ \t]*([^\s`]*)([^`]*)$/;
const CLOSE = /^ *(`{3,}|~{3,})[ \t]*$/;
// Anything that looks like the start of a TypeScript fence, wherever it is on the line.
const TS_FENCE_ANYWHERE = /(`{3,}|~{3,})[ \t]*(ts|typescript)\b/;

/**
 * The fenced code blocks of one Markdown text: `{ lang, info, line, code }`, `line` being the
 * 1-based line of the first code line. Throws `{ line, message }` on a fence it cannot read.
 */
function fencedBlocks(text) {
  const lines = text.split(/\r?\n/);
  const blocks = [];
  let open = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (open === null) {
      const m = OPEN.exec(line);
      if (m !== null) {
        const [, indent = '', marker = '', lang = '', rest = ''] = m;
        open = {
          indent: indent.length,
          char: marker[0],
          size: marker.length,
          lang: lang.toLowerCase(),
          info: rest.trim(),
          start: i + 1,
          body: [],
        };
      } else if (TS_FENCE_ANYWHERE.test(line)) {
        throw {
          line: i + 1,
          message:
            'a TypeScript fence the checker cannot read (start the line with the fence, indented by spaces only)',
        };
      }
      continue;
    }
    const close = CLOSE.exec(line);
    if (close !== null && close[1]?.[0] === open.char && (close[1]?.length ?? 0) >= open.size) {
      blocks.push({
        lang: open.lang,
        info: open.info,
        line: open.start + 1,
        code: open.body.join('\n'),
      });
      open = null;
      continue;
    }
    // Remove up to the fence's own indentation, as CommonMark does.
    let strip = 0;
    while (strip < open.indent && line[strip] === ' ') strip++;
    open.body.push(line.slice(strip));
  }
  if (open !== null) {
    throw { line: open.start, message: `unclosed ${open.char.repeat(3)} fence` };
  }
  return blocks;
}

const blocks = [];
const problems = [];
for (const file of sources) {
  const rel = relative(root, file);
  let found;
  try {
    found = fencedBlocks(readFileSync(file, 'utf8'));
  } catch (error) {
    if (typeof error?.line !== 'number') throw error;
    problems.push(`${rel}:${error.line}: ${error.message}`);
    continue;
  }
  let n = 0;
  for (const block of found) {
    if (!TS_LANGS.has(block.lang)) continue;
    n++;
    const only = /\bkysely-(0\.28|0\.29)\b/.exec(block.info)?.[1];
    blocks.push({
      file,
      rel,
      n,
      line: block.line,
      ignored: /\bignore\b/.test(block.info),
      kysely: only === undefined ? ['0.28', '0.29'] : [only],
      code: block.code,
    });
  }
}

if (problems.length > 0) {
  console.error(`doc blocks: cannot read these fences:\n${problems.join('\n')}`);
  process.exit(1);
}

if (listOnly) {
  const lines = blocks.map((b) =>
    JSON.stringify({
      file: b.rel,
      line: b.line,
      ignored: b.ignored,
      kysely: b.kysely,
      code: b.code,
    }),
  );
  // Exit only once the whole list is written: on Node 24 a pipe's writes are still queued when
  // process.exit() runs, and a reader got the first ~90 KB of the list.
  process.stdout.write(`${lines.join('\n')}\n`, () => process.exit(0));
  await new Promise(() => {});
}

const out = join(root, 'docs', '.blocks');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

let count = 0;
const map = [];
const filesFor = { 0.28: [], 0.29: [] };
for (const block of blocks) {
  if (block.ignored) continue;
  const name = `${block.rel.replace(/[^a-zA-Z0-9]+/g, '_')}__${block.n}.ts`;
  // Relative imports in a block mean "relative to the Markdown file": rewrite them for docs/.blocks.
  const code = block.code.replace(
    /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+)(['"])/g,
    (_m, a, spec, b) => {
      const target = relative(out, resolve(dirname(block.file), spec));
      return `${a}${target.startsWith('.') ? target : `./${target}`}${b}`;
    },
  );
  writeFileSync(join(out, name), `// ${block.rel}:${block.line}\n${code}\nexport {};\n`);
  map.push(`${name} ← ${block.rel}:${block.line}`);
  for (const version of block.kysely) filesFor[version].push(`./${name}`);
  count++;
}

const compilerOptions = {
  noEmit: true,
  customConditions: ['@coffer/source'],
  noUnusedLocals: false,
  allowImportingTsExtensions: true,
  declaration: false,
  declarationMap: false,
};
const kysely029 = (file) => [
  relative(out, join(root, 'node_modules', 'kysely-0.29', 'dist', file)),
];
const programs = [
  { version: '0.28', config: 'tsconfig.json', options: compilerOptions },
  {
    version: '0.29',
    config: 'tsconfig.kysely-0.29.json',
    options: {
      ...compilerOptions,
      paths: {
        kysely: kysely029('index.d.ts'),
        'kysely/migration': kysely029('migration/index.d.ts'),
      },
    },
  },
];
for (const program of programs) {
  writeFileSync(
    join(out, program.config),
    JSON.stringify(
      {
        extends: '../../tsconfig.base.json',
        compilerOptions: program.options,
        files: filesFor[program.version],
      },
      null,
      2,
    ),
  );
}

if (count === 0) {
  console.log('doc blocks: none found');
  process.exit(0);
}
let failed = false;
for (const program of programs) {
  if (filesFor[program.version].length === 0) continue;
  const tsc = spawnSync('pnpm', ['exec', 'tsc', '-p', join(out, program.config)], {
    cwd: root,
    encoding: 'utf8',
  });
  if (tsc.status !== 0) {
    process.stdout.write(tsc.stdout);
    process.stderr.write(tsc.stderr);
    console.error(`doc blocks: type errors against kysely ${program.version}`);
    failed = true;
  }
}
if (failed) {
  console.error(`doc blocks: block files map back to their sources:\n${map.join('\n')}`);
  process.exit(1);
}
console.log(
  `doc blocks: ${count} TypeScript blocks type-check (${filesFor['0.28'].length} against kysely 0.28, ${filesFor['0.29'].length} against 0.29)`,
);
