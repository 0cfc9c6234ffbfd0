// `coffer keygen`, spawned: entries that the keyring and pepper parsers accept, printed once, or
// written to a new file with mode 600 whatever the umask, never over an existing file.

import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Keyring } from '@coffer/envelope';
import { pepperFromEnv } from '@coffer/pii';
import { afterAll, describe, expect, it } from 'vitest';
import { cliCommand, cliEnv, json, runCli, tempDir } from './support/cli.ts';

const temp = tempDir('keygen');
afterAll(() => temp.remove());

describe('coffer keygen', () => {
  it('in a pipe: two env lines the keyring and pepper parsers accept', async () => {
    const result = await runCli(['keygen']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    const master = /^COFFER_MASTER_KEYS=(\*1:[A-Za-z0-9_-]{43})$/.exec(lines[0] ?? '')?.[1];
    const pepper = /^COFFER_PII_PEPPER=(\*v1:[A-Za-z0-9_-]{43})$/.exec(lines[1] ?? '')?.[1];
    expect(Keyring.fromEnv(master ?? '').primaryKekId).toBe('1');
    expect(pepperFromEnv(pepper).current).toBe('v1');
    expect(result.stderr).toBe('');
    // Fresh every time.
    const again = await runCli(['keygen', '--json']);
    const second = json<{ masterKey: { entry: string }; pepper: { entry: string } }>(again.stdout);
    expect(second.masterKey.entry).not.toBe(master);
    expect(second.pepper.entry).not.toBe(pepper);
  });

  it('--json: the entries with their id, status and variable; --active and --id for a rotation', async () => {
    const result = await runCli([
      'keygen',
      '--id',
      '7',
      '--active',
      '--pepper-version',
      'v2',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const out = json(result.stdout);
    expect(out).toEqual({
      masterKey: {
        id: '7',
        status: 'active',
        variable: 'COFFER_MASTER_KEYS',
        entry: expect.stringMatching(/^7:[A-Za-z0-9_-]{43}$/),
      },
      pepper: {
        version: 'v2',
        current: true,
        variable: 'COFFER_PII_PEPPER',
        entry: expect.stringMatching(/^\*v2:[A-Za-z0-9_-]{43}$/),
      },
    });
    const only = await runCli(['keygen', '--only', 'pepper', '--json']);
    expect(Object.keys(json(only.stdout))).toEqual(['pepper']);
  });

  it('--out: a new file, mode 600 even under umask 000, usable as --master-keys-file; never overwritten', () => {
    const file = join(temp.dir, 'keys.env');
    const { command, args } = cliCommand();
    const quoted = [command, ...args, 'keygen', '--out', file, '--json']
      .map((a) => `'${a}'`)
      .join(' ');
    const first = spawnSync('sh', ['-c', `umask 000; exec ${quoted}`], {
      env: cliEnv(),
      encoding: 'utf8',
    });
    expect(first.status, first.stderr).toBe(0);
    expect(json(first.stdout)).toEqual({
      file,
      mode: '600',
      masterKey: { id: '1', status: 'primary', variable: 'COFFER_MASTER_KEYS' },
      pepper: { version: 'v1', current: true, variable: 'COFFER_PII_PEPPER' },
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const content = readFileSync(file, 'utf8');
    expect(content).toMatch(
      /^COFFER_MASTER_KEYS=\*1:[A-Za-z0-9_-]{43}\nCOFFER_PII_PEPPER=\*v1:[A-Za-z0-9_-]{43}\n$/,
    );
    expect(first.stdout).not.toContain(content.slice(22, 60));

    const second = spawnSync(command, [...args, 'keygen', '--out', file], {
      env: cliEnv(),
      encoding: 'utf8',
    });
    expect(second.status).toBe(5);
    expect(second.stderr).toContain('never overwrites');
    expect(readFileSync(file, 'utf8')).toBe(content);

    // The file is a keyring source: the command gets past the keys and stops at the database.
    const verify = spawnSync(
      command,
      [...args, 'keys', 'verify', '--master-keys-file', file, '--db', join(temp.dir, 'none.db')],
      {
        env: cliEnv(),
        encoding: 'utf8',
      },
    );
    expect(verify.status).toBe(4);
    expect(verify.stderr).toContain('No SQLite database');
  });

  it('refuses a malformed --id without echoing it', async () => {
    const secretLooking = '*1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const result = await runCli(['keygen', '--id', secretLooking]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--id must be');
    expect(result.stderr).not.toContain('AAAAAAAA');
  });

  it('refuses an --out path that exists as a symlink (not followed)', async () => {
    const target = join(temp.dir, 'target');
    writeFileSync(target, 'x');
    const link = join(temp.dir, 'link');
    spawnSync('ln', ['-s', target, link]);
    const result = await runCli(['keygen', '--out', link]);
    expect(result.code).toBe(5);
    expect(readFileSync(target, 'utf8')).toBe('x');
  });
});
