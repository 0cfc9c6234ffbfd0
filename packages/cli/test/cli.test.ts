// The command line itself, run in process: help for every command, usage errors that name the
// option and never echo a value (a secret pasted into the wrong place), passwords kept out of argv
// and out of every message, configuration and database errors with their exit codes.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands/index.ts';
import { EXIT_CODES } from '../src/index.ts';
import { tempDir } from './support/cli.ts';
import { runHere } from './support/in-process.ts';
import { kekEntry } from './support/vault-data.ts';

const temp = tempDir('args');
afterAll(() => temp.remove());
const SECRET = 'Zm9vYmFyc2VjcmV0LXRoYXQtbXVzdC1ub3QtbGVhaw';

function noSecret(r: { stdout: string; stderr: string }, secret = SECRET): void {
  expect(r.stdout).not.toContain(secret);
  expect(r.stderr).not.toContain(secret);
}

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('help', () => {
  it('no arguments: the command list on stderr, exit 2; --help: on stdout, exit 0', async () => {
    const none = await runHere([]);
    expect(none.code).toBe(EXIT_CODES.usage);
    expect(none.stdout).toBe('');
    const help = await runHere(['--help']);
    expect(help.code).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toContain(command.name);
    expect(help.stdout).toContain('130  interrupted');
    expect((await runHere(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it.each(COMMANDS.map((c) => [c.name]))(
    'coffer %s --help: usage, options and an example',
    async (name) => {
      const r = await runHere([...name.split(' '), '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: coffer ${name}`);
      expect(r.stdout).toContain('--json');
      expect(r.stdout).toMatch(new RegExp(`Examples:\\n  # .+\\n  (\\S+=\\S+ )*coffer ${name}`));
      expect(await runHere(['help', ...name.split(' ')])).toEqual(r);
    },
  );

  it('a group alone lists its commands (exit 2); with --help (exit 0)', async () => {
    const bare = await runHere(['api-keys']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('api-keys mint');
    expect((await runHere(['api-keys', '--help'])).code).toBe(0);
  });
});

describe('usage errors name options, never values', () => {
  it.each([
    [
      'an unknown option with a value',
      ['keys', 'verify', `--master-key=${SECRET}`],
      'Unknown option "--master-key"',
    ],
    [
      'an unknown option that is itself a secret',
      ['keygen', `--${SECRET}`],
      'Unknown option (not shown',
    ],
    [
      'an unknown option that is a hex secret',
      ['keygen', '--deadbeefcafebabe0123456789abcdef'],
      'Unknown option (not shown',
    ],
    ['an extra argument', ['keygen', SECRET], 'argument 1 is extra'],
    ['an unknown command', [SECRET], 'not a coffer command'],
    ['an unknown subcommand', ['api-keys', SECRET], 'not a command of "coffer api-keys"'],
    ['a value for a flag', ['keygen', `--active=${SECRET}`], '--active takes no value'],
    [
      'an option given twice',
      ['keygen', '--id', '1', '--id', SECRET],
      '--id is given more than once',
    ],
    ['a missing value', ['rewrap', '--db'], '--db needs a value'],
    ['an option as a value', ['rewrap', '--db', '--batch-size'], '--db needs a value'],
    [
      'a bad batch size',
      ['rewrap', '--db', 'x.db', '--batch-size', SECRET],
      '--batch-size must be',
    ],
    ['a bad progress mode', ['rewrap', '--db', 'x.db', '--progress', SECRET], '--progress must be'],
    ['a bad profile', ['pii', 'hash', '--profile', SECRET, '-'], '--profile must be one of'],
  ])('%s', async (_name, argv, message) => {
    const r = await runHere(argv);
    expect(r.code).toBe(EXIT_CODES.usage);
    expect(r.stderr).toContain(message);
    noSecret(r);
    expect(r.stderr).not.toContain('deadbeef');
    const asJson = await runHere([...argv, '--json']);
    if (argv.at(-1) !== '--db') {
      const body = argv[0] === 'pii' ? asJson.stderr : asJson.stdout;
      expect(JSON.parse(body)).toMatchObject({ ok: false, error: { code: 'USAGE' }, exitCode: 2 });
    }
    noSecret(asJson);
  });
});

describe('databases', () => {
  it('a password in --db is refused (exit 2) and never printed', async () => {
    const r = await runHere(
      ['keys', 'verify', '--db', `postgres://app:${SECRET}@127.0.0.1:1/app`],
      {
        COFFER_MASTER_KEYS: kekEntry(1, true),
      },
    );
    expect(r.code).toBe(EXIT_CODES.usage);
    expect(r.stderr).toContain('PGPASSWORD');
    noSecret(r);
    const query = await runHere([
      'migrate',
      '--db',
      `postgres://app@127.0.0.1:1/app?password=${SECRET}`,
    ]);
    expect(query.code).toBe(EXIT_CODES.usage);
    noSecret(query);
  });

  it('an unreachable PostgreSQL from COFFER_DB_URL: exit 4, the URL shown without its password', async () => {
    const port = await closedPort();
    const r = await runHere(['migrate', '--json'], {
      COFFER_DB_URL: `postgresql://app:${SECRET}@127.0.0.1:${port}/app?sslpassword=${SECRET}`,
    });
    expect(r.code).toBe(EXIT_CODES.database);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      error: { code: 'DATABASE_FAILED', details: { driverCode: 'ECONNREFUSED' } },
    });
    noSecret(r);
  });

  it('MySQL URLs, unknown schemes, no database: exit 2 with what to do', async () => {
    expect((await runHere(['migrate', '--db', 'mysql://root@127.0.0.1/app'])).stderr).toContain(
      '@coffer/store-mysql',
    );
    expect((await runHere(['migrate', '--db', 'redis://127.0.0.1'])).code).toBe(2);
    const none = await runHere(['migrate']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('COFFER_DB_URL');
  });

  it('a SQLite file without coffer tables: exit 4, "run coffer migrate"', async () => {
    const file = join(temp.dir, 'empty.db');
    writeFileSync(file, '');
    const r = await runHere(['keys', 'verify', '--db', file], {
      COFFER_MASTER_KEYS: kekEntry(1, true),
    });
    expect(r.code).toBe(EXIT_CODES.database);
    expect(r.stderr).toContain("run 'coffer migrate' first");
  });

  it('--schema on SQLite: exit 2', async () => {
    const file = join(temp.dir, 'schema.db');
    expect((await runHere(['migrate', '--db', file, '--schema', 'x'])).code).toBe(2);
  });
});

describe('master keys', () => {
  it('missing: exit 3 naming COFFER_MASTER_KEYS; malformed: exit 3 without key text', async () => {
    const missing = await runHere(['rewrap', '--db', 'x.db']);
    expect(missing.code).toBe(EXIT_CODES.config);
    expect(missing.stderr).toContain('COFFER_MASTER_KEYS');
    const bad = `*1:${SECRET},2:short`;
    const malformed = await runHere(['rewrap', '--db', 'x.db', '--json'], {
      COFFER_MASTER_KEYS: bad,
    });
    expect(malformed.code).toBe(EXIT_CODES.config);
    expect(JSON.parse(malformed.stdout)).toMatchObject({ error: { code: 'INVALID_KEYRING' } });
    noSecret(malformed);
  });

  it('--master-keys-file: refused when others can read it or it is not a file; never its content', async () => {
    const file = join(temp.dir, 'keys.txt');
    const entry = kekEntry(1, true);
    writeFileSync(file, `${entry}\n`);
    chmodSync(file, 0o640);
    const open = await runHere(['keys', 'verify', '--db', 'x.db', '--master-keys-file', file]);
    expect(open.code).toBe(EXIT_CODES.config);
    expect(open.stderr).toContain('mode 640');
    noSecret(open, entry.slice(3));
    chmodSync(file, 0o600);
    const ok = await runHere([
      'keys',
      'verify',
      '--db',
      join(temp.dir, 'none.db'),
      '--master-keys-file',
      file,
    ]);
    expect(ok.code).toBe(EXIT_CODES.database); // past the keys
    const dir = join(temp.dir, 'a-dir');
    mkdirSync(dir);
    expect(
      (await runHere(['keys', 'verify', '--db', 'x.db', '--master-keys-file', dir])).stderr,
    ).toContain('not a regular file');
    const envFile = join(temp.dir, 'other.env');
    writeFileSync(envFile, 'OTHER=1\n', { mode: 0o600 });
    const other = await runHere(['keys', 'verify', '--db', 'x.db', '--master-keys-file', envFile]);
    expect(other.code).toBe(EXIT_CODES.config);
    expect(other.stderr).toContain('holds no COFFER_MASTER_KEYS value');
  });
});

describe('pii hash inputs', () => {
  it('a missing file, a directory, an empty input: exit 2 before any output', async () => {
    const missing = await runHere(['pii', 'hash', '--profile', 'meta', join(temp.dir, 'nope.csv')]);
    expect(missing.code).toBe(EXIT_CODES.usage);
    expect(missing.stderr).toContain('cannot be read (ENOENT)');
    const dir = await runHere(['pii', 'hash', '--profile', 'meta', temp.dir]);
    expect(dir.code).toBe(EXIT_CODES.usage);
    expect(dir.stderr).toContain('not a regular file');
    const empty = await runHere(['pii', 'hash', '--profile', 'meta', '-']);
    expect(empty.code).toBe(EXIT_CODES.usage);
    expect(empty.stderr).toContain('no header row');
    for (const r of [missing, dir, empty]) expect(r.stdout).toBe('');
  });
});

describe('names from input files cannot drive the terminal', () => {
  it('escape sequences in CSV headers are shown as ? in the summary and in errors', async () => {
    const file = join(temp.dir, 'hostile-header.csv');
    writeFileSync(file, 'email,\u001b]0;owned\u0007notes\u001b[2J\na@b.co,x\n');
    const ok = await runHere(['pii', 'hash', '--profile', 'meta', file]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('left out: ?]0;owned?notes?[2J');
    expect(ok.stderr).not.toContain('\u001b');
    const twice = join(temp.dir, 'two-emails.csv');
    writeFileSync(twice, 'email,E-Mail\u001b\na@b.co,c@d.co\n');
    const clash = await runHere(['pii', 'hash', '--profile', 'meta', twice]);
    expect(clash.code).toBe(EXIT_CODES.usage);
    expect(clash.stderr).toContain('"E-Mail?" both look like email');
    expect(clash.stderr).not.toContain('\u001b');
  });
});
