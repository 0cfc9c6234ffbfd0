// A CSV whose lines end with CR alone (classic Mac) reads as one record: its "header" held every
// row, the one column named "email" matched, and the run ended with exit 0, no rows, and the
// other "column names" — the data itself — printed in the summary and its JSON. Refused now
// (exit 2), before any output and without a name.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/cli.ts';

const temp = tempDir('pii-cr');
afterAll(() => temp.remove());

const SECRET = 'john.secret@example.com';
const file = join(temp.dir, 'mac.csv');
writeFileSync(file, `email,name\r${SECRET},John Secretname\rjane@example.com,Jane\r`);

describe('coffer pii hash on a file with CR line endings', () => {
  it.each([[[]], [['--json']]])('refuses it without printing a value (%j)', async (extra) => {
    const result = await runCli([
      'pii',
      'hash',
      '--profile',
      'meta',
      '--progress',
      'none',
      ...extra,
      file,
    ]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/carriage return/);
    expect(result.stderr).not.toContain('secret');
    expect(result.stderr).not.toContain('Secretname');
  });

  it('still reads CRLF and LF files, and a CR inside a quoted field of a row', async () => {
    const ok = join(temp.dir, 'ok.csv');
    writeFileSync(ok, 'email,note\r\na@example.com,"x\ry"\nb@example.com,z\r\n');
    const result = await runCli(['pii', 'hash', '--profile', 'meta', '--progress', 'none', ok]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(3);
  });
});
