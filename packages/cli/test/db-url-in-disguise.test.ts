// `--db` values that are URLs in disguise: a PostgreSQL URL with a space in front (a copy-paste),
// a scheme coffer does not know (`socket:/…?password=`), a password parameter in capitals. They
// were taken for SQLite file names and printed whole in "No SQLite database at …", password and
// all; or, in capitals, slipped past the password check. Each is refused now (exit 2) without
// being repeated, from --db and from COFFER_DB_URL. And a connection that fails before any query
// (an sslkey file that is missing) is a database error (exit 4), not "a bug in coffer" (exit 1).
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/index.ts';
import { type CliResult, runCli, tempDir } from './support/cli.ts';

const SECRET = 'hunter2Zq9';
const temp = tempDir('db-url');

function noSecret(r: CliResult): void {
  expect(r.stdout).not.toContain(SECRET);
  expect(r.stderr).not.toContain(SECRET);
}

const DISGUISED = [
  ['a space before the URL', ` postgres://app:${SECRET}@127.0.0.1:1/app`],
  ['an unknown scheme with one slash', `socket:/var/run/postgresql?db=app&password=${SECRET}`],
  ['a scheme of one letter', `x://app:${SECRET}@host/app`],
];

describe('--db values that are URLs in disguise', () => {
  it.each(DISGUISED)('%s: exit 2, not repeated (--db and COFFER_DB_URL)', async (_name, value) => {
    for (const json of [false, true]) {
      const flags = json ? ['--json'] : [];
      const fromArgs = await runCli(['api-keys', 'list', '--org', 'o', '--db', value, ...flags], {
        cwd: temp.dir,
      });
      expect(fromArgs.code, fromArgs.stderr).toBe(EXIT_CODES.usage);
      noSecret(fromArgs);
      const fromEnv = await runCli(['api-keys', 'list', '--org', 'o', ...flags], {
        cwd: temp.dir,
        env: { COFFER_DB_URL: value },
      });
      expect(fromEnv.code, fromEnv.stderr).toBe(EXIT_CODES.usage);
      noSecret(fromEnv);
    }
  });

  it('a password parameter in capitals is a password too', async () => {
    const r = await runCli([
      'migrate',
      '--db',
      `postgres://app@127.0.0.1:1/app?PassWord=${SECRET}`,
    ]);
    expect(r.code).toBe(EXIT_CODES.usage);
    expect(r.stderr).toContain('PGPASSWORD');
    noSecret(r);
  });

  it('a connection that fails before its first query: exit 4 with the errno code', async () => {
    const r = await runCli([
      'api-keys',
      'list',
      '--org',
      'o',
      '--json',
      '--db',
      'postgres://app@127.0.0.1:1/app?sslkey=/nonexistent/coffer-key.pem&sslcert=/nonexistent/c.pem',
    ]);
    expect(r.code, r.stdout).toBe(EXIT_CODES.database);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      error: { code: 'DATABASE_FAILED', details: { driverCode: 'ENOENT' } },
    });
  });
});
