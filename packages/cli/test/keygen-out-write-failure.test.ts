// `coffer keygen --out` on a disk that refuses the write (here a file-size limit of 0, as a full
// disk would): it reported "a bug in coffer" (exit 1) and left an empty mode-600 file behind, which
// the next try refused as existing. Now: exit 2 naming the errno, and no file.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliCommand, cliEnv, collect, tempDir } from './support/cli.ts';

const temp = tempDir('keygen-write');
afterAll(() => temp.remove());

describe.runIf(process.platform !== 'win32')('coffer keygen --out when the write fails', () => {
  it('exits 2 with the errno and keeps no file', async () => {
    const file = join(temp.dir, 'kek.env');
    const { command, args } = cliCommand();
    const child = spawn(
      'sh',
      ['-c', 'ulimit -f 0; exec "$@"', 'sh', command, ...args, 'keygen', '--out', file],
      { cwd: temp.dir, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const result = await collect(child);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('--out: the file could not be written (EFBIG)');
    expect(result.stdout).toBe('');
    expect(existsSync(file)).toBe(false);
  });
});
