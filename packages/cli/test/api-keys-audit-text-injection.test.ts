// --actor and --reason go to an audit trail; names stored with a key come back on the terminal.
// A bidi override (U+202E) makes a line read differently than it is stored ("INC-77" shown, the
// reverse kept), a line separator (U+2028) splits a log line: they passed the check for control
// characters (\p{Cc}) alone. Now refused (exit 2, nothing minted), and stripped from stored names
// when they are shown.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/index.ts';
import { runCli, tempDir } from './support/cli.ts';

const temp = tempDir('audit-text');
const db = join(temp.dir, 'keys.db');
beforeAll(async () => {
  expect((await runCli(['migrate', '--db', db])).code).toBe(0);
});
afterAll(() => temp.remove());

const HOSTILE = [
  ['a bidi override', 'INC-\u202e77'],
  ['a right-to-left isolate', 'ok \u2067evil\u2069'],
  ['a line separator', 'INC-77\u2028actor=admin'],
  ['a paragraph separator', 'INC-77\u2029next'],
  ['a zero-width space', 'INC\u200b-77'],
  ['an escape sequence', 'INC-77\u001b[2J'],
  ['a C1 control', 'INC-77\u009b31m'],
];

describe('--actor and --reason', () => {
  it.each(HOSTILE)('refuse %s: exit 2', async (_name, text) => {
    for (const option of ['--actor', '--reason']) {
      const r = await runCli([
        'api-keys',
        'mint',
        '--db',
        db,
        '--org',
        'org_audit',
        '--env',
        'test',
        '--name',
        'n',
        option,
        text,
        '--json',
      ]);
      expect(r.code, r.stdout).toBe(EXIT_CODES.usage);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'USAGE' } });
      expect(r.stdout).not.toContain(text);
    }
  });

  it('minted no key while refusing them', async () => {
    const list = await runCli(['api-keys', 'list', '--db', db, '--org', 'org_audit', '--json']);
    expect(JSON.parse(list.stdout).keys).toEqual([]);
  });

  it('accept ordinary text, accents and emoji included', async () => {
    const r = await runCli([
      'api-keys',
      'revoke',
      '--db',
      db,
      '0000000000000000',
      '--actor',
      'Zoë Ölçer',
      '--reason',
      'INC-77: leaked in a log 🔑',
    ]);
    // The text passed; the key does not exist.
    expect(r.code, r.stderr).toBe(EXIT_CODES.refused);
  });
});

describe('stored names on the terminal and in a pipe', () => {
  it('lose their bidi overrides and line separators', async () => {
    const name = 'billing \u202esync\u2028next';
    const minted = await runCli([
      'api-keys',
      'mint',
      '--db',
      db,
      '--org',
      'org_names',
      '--env',
      'test',
      '--name',
      name,
    ]);
    expect(minted.code, minted.stderr).toBe(0);
    const list = await runCli(['api-keys', 'list', '--db', db, '--org', 'org_names']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('billing  sync next');
    expect(list.stdout).not.toMatch(/[\u202e\u2028]/);
    const keyId = /lp_test_([0-9A-Z]{16})_/.exec(minted.stdout)?.[1] as string;
    const show = await runCli(['api-keys', 'show', '--db', db, keyId]);
    expect(show.stdout).not.toMatch(/[\u202e\u2028]/);
    // JSON keeps the name as stored: it is data, escaped by JSON.
    const json = await runCli(['api-keys', 'show', '--db', db, keyId, '--json']);
    expect(JSON.parse(json.stdout).info.name).toBe(name);
  });
});
