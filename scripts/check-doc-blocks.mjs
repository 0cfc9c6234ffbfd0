// Type-checks every TypeScript code block in the docs (README.md, docs/*.md, packages/*/README.md,
// examples/*/README.md) against the real packages, so the docs cannot drift from the code.
// Each ```ts block becomes its own module under docs/.blocks/ (git-ignored); a block fenced as
// ```ts ignore is skipped (use it only for deliberately wrong code, and say so next to it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'docs', '.blocks');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const sources = [join(root, 'README.md')];
const listMd = (dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.md'))
        .map((f) => join(dir, f))
    : [];
sources.push(...listMd(join(root, 'docs')));
for (const group of ['packages', 'examples']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) sources.push(...listMd(join(dir, name)));
}

const fence = /^```(ts|typescript)([^\n]*)\n([\s\S]*?)^```/gm;
let count = 0;
const map = [];
for (const file of sources) {
  const text = readFileSync(file, 'utf8');
  let n = 0;
  for (const match of text.matchAll(fence)) {
    n++;
    if (/\bignore\b/.test(match[2] ?? '')) continue;
    const line = text.slice(0, match.index).split('\n').length + 1;
    const rel = relative(root, file);
    const name = `${rel.replace(/[^a-zA-Z0-9]+/g, '_')}__${n}.ts`;
    // Relative imports in a block mean "relative to the Markdown file": rewrite them for docs/.blocks.
    const code = (match[3] ?? '').replace(
      /(from\s+['"])(\.{1,2}\/[^'"]+)(['"])/g,
      (_m, a, spec, b) => {
        const target = relative(out, resolve(dirname(file), spec));
        return `${a}${target.startsWith('.') ? target : `./${target}`}${b}`;
      },
    );
    writeFileSync(join(out, name), `// ${rel}:${line}\n${code}\nexport {};\n`);
    map.push(`${name} ← ${rel}:${line}`);
    count++;
  }
}

writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify(
    {
      extends: '../../tsconfig.base.json',
      compilerOptions: {
        noEmit: true,
        customConditions: ['source'],
        noUnusedLocals: false,
        allowImportingTsExtensions: true,
        declaration: false,
        declarationMap: false,
      },
      include: ['./*.ts'],
    },
    null,
    2,
  ),
);

if (count === 0) {
  console.log('doc blocks: none found');
  process.exit(0);
}
const tsc = spawnSync('pnpm', ['exec', 'tsc', '-p', join(out, 'tsconfig.json')], {
  cwd: root,
  encoding: 'utf8',
});
if (tsc.status !== 0) {
  process.stdout.write(tsc.stdout);
  process.stderr.write(tsc.stderr);
  console.error(
    `doc blocks: type errors (block files map back to their sources):\n${map.join('\n')}`,
  );
  process.exit(1);
}
console.log(`doc blocks: ${count} TypeScript blocks type-check`);
