// Package checks for every publishable package: publint (package.json, exports, files) and
// @arethetypeswrong/cli with the esm-only profile (types resolve for ESM consumers).
// Run after `pnpm build`. Exits non-zero when any package fails.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// fileURLToPath, not URL.pathname, so a checkout path with a space or `%` works.
const root = fileURLToPath(new URL('..', import.meta.url));
const packagesDir = join(root, 'packages');
let failed = 0;

for (const name of readdirSync(packagesDir).sort()) {
  const dir = join(packagesDir, name);
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  if (manifest.private) continue;
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
