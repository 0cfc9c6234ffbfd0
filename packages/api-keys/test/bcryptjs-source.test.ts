// src/_bcryptjs-source.ts (bcryptjs's code as text, for the worker threads) is exactly what
// scripts/bcryptjs-source.mjs makes from the installed bcryptjs: upgrading bcryptjs without
// regenerating it fails here.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'scripts',
  'bcryptjs-source.mjs',
);

it('the embedded bcryptjs matches the installed bcryptjs', () => {
  const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
});
