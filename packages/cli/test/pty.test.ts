// Under a real pseudo-terminal (util-linux `script`), `coffer rewrap` draws its progress bar in
// place on stderr (carriage return, erase line, redraw) up to 100 % and ends the line, and prints a
// formatted summary; the same run in a pipe prints no escape sequence at all.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand, cliEnv, runCli, tempDir } from './support/cli.ts';
import { kekEntry, keyringText, seedVault } from './support/vault-data.ts';

const temp = tempDir('pty');
afterAll(() => temp.remove());

const ROWS = 3000;
const k1 = kekEntry(1, true);
const k2 = kekEntry(2, true);
const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/** Runs the CLI with `args` under a pseudo-terminal of 100 columns; everything it drew. */
function underPty(
  args: string[],
  env: Record<string, string>,
): { status: number | null; screen: string } {
  const { command, args: prefix } = cliCommand();
  const line = [command, ...prefix, ...args].map(quote).join(' ');
  const result = spawnSync(
    'script',
    ['-qfec', `stty cols 100 rows 30; exec ${line}`, '/dev/null'],
    {
      env: cliEnv({ ...env, TERM: 'xterm-256color', LANG: 'C.UTF-8' }),
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (result.error !== undefined) throw result.error;
  return { status: result.status, screen: result.stdout };
}

describe('a real terminal', () => {
  const db = join(temp.dir, 'pty.db');
  beforeAll(async () => {
    expect((await runCli(['migrate', '--db', db])).code).toBe(0);
    await seedVault(db, k1, ROWS);
  });

  it('rewrap draws a bar that redraws in place, reaches 100 %, ends its line; then a formatted summary', () => {
    const { status, screen } = underPty(['rewrap', '--db', db, '--batch-size', '50'], {
      COFFER_MASTER_KEYS: keyringText(k2, k1),
    });
    expect(status, screen).toBe(0);
    const frames = screen
      .split('\r\u001b[2K')
      .slice(1)
      .map((frame) => frame.split(/\r?\n/)[0] ?? '');
    expect(frames.length).toBeGreaterThanOrEqual(2);
    for (const frame of frames) {
      expect(frame).toMatch(
        /^rewrap {2}[█░]{10,40} {2}[\d,]+\/3,000 rows {2}\d+% {2}[\d,]+ rows\/s {2}(ETA|\d+:\d\d)/,
      );
      expect(frame.length).toBeLessThanOrEqual(99);
    }
    const percents = frames.map((f) => Number(/ (\d+)% /.exec(f)?.[1]));
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    const last = frames.at(-1) ?? '';
    expect(last).toContain('3,000/3,000 rows  100%');
    expect(last).toMatch(/█{10,40} {2}/);
    expect(last).not.toContain('░');
    expect(last).toMatch(/\d+:\d\d elapsed$/);
    // The bar's line is ended before the summary, which is formatted for people.
    expect(screen).toMatch(/elapsed\r?\n/);
    const dim = (text: string) => `\u001b[2m${text}\u001b[22m`;
    expect(screen).toContain(`${dim('Rewrapped    ')}  3,000 of 3,000 to KEK 2 in `);
    expect(screen).toContain('Stopped early');
  });

  it('the same command in a pipe: plain key=value lines, progress lines without escapes', async () => {
    const piped = await runCli(['rewrap', '--db', db], {
      env: { COFFER_MASTER_KEYS: keyringText(k2, k1) },
    });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toMatch(
      /^rewrapped=0\nskipped=0\nfailed=0\nprimary_kek_id=2\naborted=false\nseconds=[\d.]+\n$/,
    );
    expect(piped.stderr).not.toContain('\u001b');
    expect(piped.stderr).toContain('rewrap  0/0 rows');
  });

  it('pii hash printing its data to the terminal draws no bar over it', () => {
    const csv = join(temp.dir, 'few.csv');
    writeFileSync(csv, 'email\na@example.com\nb@example.com\n');
    const { status, screen } = underPty(['pii', 'hash', '--profile', 'meta', csv], {});
    expect(status, screen).toBe(0);
    expect(screen).toMatch(/^em\r?\n[0-9a-f]{64}\r?\n[0-9a-f]{64}\r?\n/);
    expect(screen).not.toContain('\u001b[2K');
    expect(screen).toContain('pii hash (meta): 2 rows read, 2 written, 0 skipped');
  });

  it('keygen on a terminal explains the entries; NO_COLOR turns colour off', () => {
    const coloured = underPty(['keygen'], {});
    expect(coloured.status).toBe(0);
    expect(coloured.screen).toContain('\u001b[1mMaster key 1 (primary)');
    expect(coloured.screen).toContain('Shown once and kept nowhere');
    expect(coloured.screen).toMatch(/ {2}\*1:[A-Za-z0-9_-]{43}/);
    const plain = underPty(['keygen'], { NO_COLOR: '1' });
    expect(plain.screen).toContain('Master key 1 (primary)');
    expect(plain.screen).not.toContain('\u001b[');
  });
});
