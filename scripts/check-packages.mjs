// Package checks for every publishable package: publint (package.json, exports, files),
// @arethetypeswrong/cli with the esm-only profile (types resolve for ESM consumers), and our own
// metadata rules: the root LICENSE ships in every tarball, `repository` / `homepage` / `bugs` point
// at this repository, and README links are absolute (relative `../../docs` links break on the
// registry's page) and name files that exist here.
// Run after `pnpm build`. Exits non-zero when any package fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// fileURLToPath, not URL.pathname, so a checkout path with a space or `%` works.
const root = fileURLToPath(new URL('..', import.meta.url));
const packagesDir = join(root, 'packages');
const REPO = 'https://github.com/coffer-sdk/coffer';
const license = readFileSync(join(root, 'LICENSE'), 'utf8');
let failed = 0;

/** Our own metadata rules; returns what is wrong, empty when all hold. */
function metadataProblems(name, dir, manifest) {
  const problems = [];
  if (manifest.license !== 'Apache-2.0') problems.push('license is not Apache-2.0');
  if (!existsSync(join(dir, 'LICENSE')) || readFileSync(join(dir, 'LICENSE'), 'utf8') !== license) {
    problems.push('LICENSE is missing or differs from the root LICENSE');
  }
  if (!manifest.files?.includes('LICENSE')) problems.push('"files" does not list LICENSE');
  if (
    manifest.repository?.url !== `git+${REPO}.git` ||
    manifest.repository?.directory !== `packages/${name}`
  ) {
    problems.push(`repository must be { url: "git+${REPO}.git", directory: "packages/${name}" }`);
  }
  if (manifest.homepage !== `${REPO}/tree/main/packages/${name}#readme`)
    problems.push('homepage is wrong');
  if (manifest.bugs?.url !== `${REPO}/issues`) problems.push('bugs.url is wrong');
  const readme = existsSync(join(dir, 'README.md'))
    ? readFileSync(join(dir, 'README.md'), 'utf8')
    : '';
  if (readme === '') problems.push('README.md is missing');
  for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (target.startsWith('../'))
      problems.push(`relative link ${target} breaks on the registry's page`);
    const prefix = `${REPO}/blob/main/`;
    if (target.startsWith(prefix)) {
      const file = target.slice(prefix.length).split('#')[0];
      if (!existsSync(join(root, file)))
        problems.push(`link ${target} names a file that does not exist`);
    }
  }
  return problems;
}

for (const name of readdirSync(packagesDir).sort()) {
  const dir = join(packagesDir, name);
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  if (manifest.private) continue;
  const problems = metadataProblems(name, dir, manifest);
  console.log(
    `${problems.length === 0 ? 'ok  ' : 'FAIL'} ${'metadata'.padEnd(8)} ${manifest.name}`,
  );
  for (const problem of problems) console.log(`       ${problem}`);
  if (problems.length > 0) failed++;
  for (const [label, args] of [
    ['publint', ['exec', 'publint', '--strict']],
    ['attw', ['exec', 'attw', '--pack', '.', '--profile', 'esm-only', '--format', 'table-flipped']],
  ]) {
    const run = spawnSync('pnpm', args, { cwd: dir, encoding: 'utf8' });
    const ok = run.status === 0;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${label.padEnd(8)} ${manifest.name}`);
    if (!ok) {
      failed++;
      process.stdout.write(run.stdout);
      process.stderr.write(run.stderr);
    }
  }
}
if (failed > 0) {
  console.error(`${failed} package check(s) failed`);
  process.exit(1);
}
