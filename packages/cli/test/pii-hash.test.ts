// `coffer pii hash`, spawned on real files and stdin: hostile rows (a wrong column count, invalid
// UTF-8, a 10 MB field, quotes out of place) are skipped and reported by line number and reason,
// never by content; good rows come out hashed exactly as @coffer/pii hashes them in process.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, toBase64Url } from '@coffer/core';
import { hashUserData, meta, pepperFromEnv, storage, tiktok } from '@coffer/pii';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli, tempDir } from './support/cli.ts';

const temp = tempDir('pii');
afterAll(() => temp.remove());

/** Text that must never reach any output: each bad row carries it. */
const LEAK = 'LEAKMARKER';

function hostileCsv(): Buffer {
  const parts: (string | Buffer)[] = [
    'Email,Phone,first_name,order_id,notes\n', // line 1
    'Joe@Example.com,+1 650 555 1234,Joe,A1,first\n', // 2: good
    `ann@example.com,+44 7911 123456,Ann,A2,${LEAK}3,extra\n`, // 3: six columns
    Buffer.concat([
      Buffer.from(`bob@example.com,${LEAK}4`, 'utf8'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(',Bob,A3,x\n', 'utf8'),
    ]), // 4: invalid UTF-8
    `"${LEAK}5@example.com",1,"`, // 5: a 10 MB field…
    Buffer.alloc(10 * 1024 * 1024, 'A'),
    `${LEAK}5",A4,x\n`,
    '"zoe@example.com","+33 6 12 34 56 78","Zoë","A5","multi\nline, note"\n', // 6-7: good
    `x${LEAK}8@example.com"quote,1,X,A6,y\n`, // 8: stray quote
    'not-an-email,123,Ann,A7,z\n', // 9: good row, two invalid fields
    `"${LEAK}10,unterminated\n`, // 10: unterminated at end of file
  ];
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
}

const file = join(temp.dir, 'customers.csv');
writeFileSync(file, hostileCsv());

describe('coffer pii hash', () => {
  it('skips hostile rows by line, hashes the rest as the library does, and leaks nothing (--json)', async () => {
    const result = await runCli([
      'pii',
      'hash',
      '--profile',
      'meta',
      '--keep',
      'order_id',
      '--json',
      '--progress',
      'none',
      file,
    ]);
    expect(result.code, result.stderr).toBe(6);
    expect(result.stdout).not.toContain(LEAK);
    expect(result.stderr).not.toContain(LEAK);
    expect(result.stdout.toLowerCase()).not.toContain('joe@example.com');
    const summaryLine = result.stderr.trim().split('\n').at(-1) ?? '';
    const summary = JSON.parse(summaryLine);
    expect(summary).toEqual({
      event: 'summary',
      ok: false,
      profile: 'meta',
      format: 'csv',
      rows: 8,
      written: 3,
      bad: {
        count: 5,
        rows: [
          { line: 3, reason: 'wrong_column_count' },
          { line: 4, reason: 'invalid_utf8' },
          { line: 5, reason: 'record_too_large' },
          { line: 8, reason: 'stray_quote' },
          { line: 10, reason: 'unterminated_quote' },
        ],
        byReason: {
          wrong_column_count: 1,
          invalid_utf8: 1,
          record_too_large: 1,
          stray_quote: 1,
          unterminated_quote: 1,
        },
      },
      dropped: {
        count: 2,
        byReason: { invalid_format: 2 },
        byField: { email: { invalid_format: 1 }, phone: { invalid_format: 1 } },
      },
      columns: {
        mapped: { email: 'Email', phone: 'Phone', firstName: 'first_name' },
        kept: ['order_id'],
        ignored: ['notes'],
      },
      interrupted: false,
      seconds: expect.any(Number),
    });
    const expected = [
      ['A1', { email: 'Joe@Example.com', phone: '+1 650 555 1234', firstName: 'Joe' }],
      ['A5', { email: 'zoe@example.com', phone: '+33 6 12 34 56 78', firstName: 'Zoë' }],
      ['A7', { email: 'not-an-email', phone: '123', firstName: 'Ann' }],
    ] as const;
    const rows = expected.map(([id, data]) => {
      const { userData } = hashUserData(data, { profile: meta });
      return [id, userData.em ?? '', userData.ph ?? '', userData.fn ?? ''].join(',');
    });
    expect(result.stdout).toBe(`order_id,em,ph,fn\n${rows.join('\n')}\n`);
  });

  it('tells people which lines were skipped and why, on stderr, in a pipe without colour', async () => {
    const result = await runCli(['pii', 'hash', '--profile', 'tiktok', file]);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(
      'line 3: wrong_column_count (6 fields, expected 5); row skipped',
    );
    expect(result.stderr).toContain('line 5: record_too_large; row skipped');
    expect(result.stderr).toMatch(/pii hash \(tiktok\): 8 rows read, 3 written, 5 skipped/);
    expect(result.stderr).toContain(
      'fields left out as invalid: 2 — invalid_format 2 (email 1, phone 1)',
    );
    expect(result.stderr).toContain('left out: order_id, notes');
    expect(result.stderr).not.toContain(LEAK);
    expect(result.stderr).not.toContain('\u001b[');
    expect(result.stdout.split('\n')[0]).toBe('email,phone');
  });

  it('NDJSON from stdin with the storage profile: peppered hashes, pepper from the environment', async () => {
    const pepperText = `*v1:${toBase64Url(randomBytes(32))}`;
    const input = [
      JSON.stringify({ email: 'a@example.com', user_id: 'u1', order: 7 }),
      '{"email": broken',
      JSON.stringify({ email: 'b@example.com', phone: 5551234 }),
      JSON.stringify({ mail: 'c@example.com', email: 'd@example.com' }),
    ].join('\n');
    const result = await runCli(
      [
        'pii',
        'hash',
        '--profile',
        'storage',
        '--format',
        'ndjson',
        '--keep',
        'order',
        '--json',
        '-',
      ],
      { input, env: { COFFER_PII_PEPPER: pepperText } },
    );
    expect(result.code, result.stderr).toBe(6);
    const pepper = pepperFromEnv(pepperText);
    const a = hashUserData(
      { email: 'a@example.com', externalId: 'u1' },
      { profile: storage, pepper },
    );
    expect(result.stdout).toBe(`${JSON.stringify({ order: 7, ...a.userData })}\n`);
    const summary = JSON.parse(result.stderr.trim().split('\n').at(-1) ?? '');
    expect(summary.bad.rows).toEqual([
      { line: 2, reason: 'invalid_json' },
      { line: 3, reason: 'invalid_user_data' },
      { line: 4, reason: 'ambiguous_fields' },
    ]);
    expect(result.stderr).not.toContain(pepperText.slice(4));
  });

  it('refuses a pepper file others can read, a kept personal-data column, an unknown --map field', async () => {
    const pepperFile = join(temp.dir, 'pepper.env');
    const pepperText = `*v1:${toBase64Url(randomBytes(32))}`;
    writeFileSync(pepperFile, `COFFER_PII_PEPPER=${pepperText}\n`);
    chmodSync(pepperFile, 0o644);
    const open = await runCli([
      'pii',
      'hash',
      '--profile',
      'storage',
      '--pepper-file',
      pepperFile,
      file,
    ]);
    expect(open.code).toBe(3);
    expect(open.stderr).toContain('chmod 600');
    expect(open.stderr).not.toContain(pepperText.slice(4));
    expect(open.stdout).toBe('');

    const kept = await runCli([
      'pii',
      'hash',
      '--profile',
      'meta',
      '--keep',
      'Email',
      file,
      '--json',
    ]);
    expect(kept.code).toBe(2);
    expect(JSON.parse(kept.stderr)).toMatchObject({
      ok: false,
      error: { code: 'USAGE' },
      exitCode: 2,
    });

    const unknown = await runCli(['pii', 'hash', '--profile', 'meta', '--map', 'shoe=Email', file]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--map takes field=Header');
  });

  it('--map reads a field from another column; tiktok with --default-country', async () => {
    const csv = join(temp.dir, 'orders.csv');
    writeFileSync(csv, 'Contact E-mail,Mobile Number,ref\nJoe@Example.com,(650) 555-1234,r1\n');
    const result = await runCli([
      'pii',
      'hash',
      '--profile',
      'tiktok',
      '--map',
      'email=Contact E-mail',
      '--default-country',
      'US',
      '--keep',
      'ref',
      csv,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const { userData } = hashUserData(
      { email: 'Joe@Example.com', phone: '(650) 555-1234' },
      { profile: tiktok, defaultCountry: 'US' },
    );
    expect(result.stdout).toBe(`ref,email,phone\nr1,${userData.email},${userData.phone}\n`);
  });

  it('Ctrl-C while stdin waits: exit 130, complete rows only, summary says interrupted', async () => {
    const child = spawnCli(
      ['pii', 'hash', '--profile', 'meta', '--format', 'csv', '--json', '--progress', 'json', '-'],
      { openStdin: true },
    );
    child.stdin?.write('email,phone\n');
    for (let i = 0; i < 500; i++)
      child.stdin?.write(`u${i}@example.com,+1 650 555 ${String(1000 + i)}\n`);
    const done = collect(child);
    await new Promise<void>((resolve) => {
      let text = '';
      child.stderr?.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('"event":"progress"')) resolve();
      });
    });
    child.kill('SIGINT');
    const result = await done;
    expect(result.code, result.stderr).toBe(130);
    const summary = JSON.parse(result.stderr.trim().split('\n').at(-1) ?? '');
    expect(summary).toMatchObject({
      event: 'summary',
      ok: false,
      interrupted: true,
      rows: 500,
      written: 500,
    });
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('em,ph');
    expect(lines.slice(1, -1)).toHaveLength(500);
    expect(lines.at(-1)).toBe('');
  });
});
