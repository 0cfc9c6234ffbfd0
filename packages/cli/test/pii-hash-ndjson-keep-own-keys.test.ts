// `--keep` on NDJSON copies the object's own keys, as they are. A kept `__proto__` key (JSON.parse
// makes it an own key) was assigned to the output row with `row[key] = …`, which set the row's
// prototype instead: the value vanished from the output. Keys the object lacks are left out,
// never read from Object.prototype.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/cli.ts';

const temp = tempDir('keep-own');
afterAll(() => temp.remove());

describe('pii hash --keep on NDJSON', () => {
  it('copies own keys named like Object.prototype members, and only own ones', async () => {
    const file = join(temp.dir, 'in.ndjson');
    writeFileSync(
      file,
      '{"email":"a@example.com","__proto__":{"campaign":"c1"},"constructor":"k"}\n{"email":"b@example.com"}\n',
    );
    const r = await runCli([
      'pii',
      'hash',
      '--profile',
      'meta',
      '--progress',
      'none',
      '--keep',
      '__proto__',
      '--keep',
      'constructor',
      '--keep',
      'toString',
      file,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^\{"__proto__":\{"campaign":"c1"\},"constructor":"k","em":"[0-9a-f]{64}"\}$/,
    );
    expect(lines[1]).toMatch(/^\{"em":"[0-9a-f]{64}"\}$/);
  });
});
