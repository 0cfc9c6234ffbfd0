// Progress where the defaults broke: on TERM=dumb (Emacs shells, some CI consoles) the bar's escape
// sequences showed as text; on a terminal narrower than 21 columns the bar was drawn 20 wide, so it
// wrapped and every redraw left a line behind; with --progress json, notes (the start line, "stopping
// after the current batch", bad rows) were plain text among the JSON lines on stderr.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand, cliEnv, runCli, tempDir } from './support/cli.ts';
import { kekEntry, keyringText, seedVault } from './support/vault-data.ts';

const temp = tempDir('progress');
afterAll(() => temp.remove());

const k1 = kekEntry(1, true);
const k2 = kekEntry(2, true);
const keys = keyringText(k2, k1);
const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/** Runs the CLI under a pseudo-terminal of `cols` columns with `term`; everything it drew. */
function underPty(args: string[], cols: number, term: string) {
  const { command, args: prefix } = cliCommand();
  const line = [command, ...prefix, ...args].map(quote).join(' ');
  const result = spawnSync('script', ['-qfec', `stty cols ${cols}; exec ${line}`, '/dev/null'], {
    env: cliEnv({ COFFER_MASTER_KEYS: keys, TERM: term, LANG: 'C.UTF-8' }),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, screen: result.stdout };
}

/** A fresh database with `rows` values under KEK 1. */
async function seeded(name: string, rows: number): Promise<string> {
  const db = join(temp.dir, `${name}.db`);
  expect((await runCli(['migrate', '--db', db])).code).toBe(0);
  await seedVault(db, k1, rows);
  return db;
}

describe('progress on unusual terminals', () => {
  let dumb: string;
  let narrow: string;
  beforeAll(async () => {
    dumb = await seeded('dumb', 300);
    narrow = await seeded('narrow', 300);
  });

  it('TERM=dumb: plain progress lines, no escape sequence at all', () => {
    const { status, screen } = underPty(['rewrap', '--db', dumb, '--batch-size', '50'], 80, 'dumb');
    expect(status, screen).toBe(0);
    expect(screen).not.toContain('\u001b');
    expect(screen).toMatch(/rewrap {2}300\/300 rows {2}100%/);
  });

  it('a terminal of 16 columns: every frame fits on its line', () => {
    const { status, screen } = underPty(
      ['rewrap', '--db', narrow, '--batch-size', '50'],
      16,
      'xterm-256color',
    );
    expect(status, screen).toBe(0);
    const frames = screen
      .split('\r\u001b[2K')
      .slice(1)
      .map((frame) => frame.split(/\r?\n/)[0] ?? '');
    expect(frames.length).toBeGreaterThanOrEqual(1);
    for (const frame of frames) expect([...frame].length).toBeLessThanOrEqual(15);
  });
});

describe('--progress json', () => {
  it('keeps stderr one JSON object per line: notes and bad rows included (pii hash)', async () => {
    const csv = join(temp.dir, 'bad.csv');
    writeFileSync(csv, 'email,n\na@example.com,1\nb@example.com,1,extra\n"c@example.com,1\n');
    const r = await runCli([
      'pii',
      'hash',
      '--profile',
      'meta',
      '--progress',
      'json',
      '--json',
      csv,
    ]);
    expect(r.code, r.stderr).toBe(6);
    const events = r.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; message?: string });
    expect(events.filter((e) => e.event === 'note').map((e) => e.message)).toEqual([
      'line 3: wrong_column_count (3 fields, expected 2); row skipped',
      'line 4: unterminated_quote; row skipped',
    ]);
    expect(events.at(-1)?.event).toBe('summary');
  });

  it('keeps stderr one JSON object per line: the start note (rewrap)', async () => {
    const db = await seeded('json', 120);
    const r = await runCli(
      ['rewrap', '--db', db, '--batch-size', '50', '--progress', 'json', '--json'],
      { env: { COFFER_MASTER_KEYS: keys } },
    );
    expect(r.code, r.stderr).toBe(0);
    const events = r.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; message?: string; done?: number });
    expect(events[0]?.event).toBe('note');
    expect(events[0]?.message).toMatch(/^rewrap: 120 stored versions to move to KEK 2/);
    expect(events.at(-1)).toMatchObject({ event: 'progress', done: 120 });
  });
});
