// Text read from the database reaches the operator's terminal: KEK ids (in keys verify's error
// and its "data uses" line), row ids, key ids, scopes. A hostile row could carry escape sequences
// (OSC 52 writes the clipboard, OSC 0 the title; CSI moves the cursor or hides text): they were
// printed raw. Now control characters print as "?" in a pipe and on a terminal, where only
// coffer's own colours remain.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createSqliteStore } from '@coffer/store-sqlite';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand, cliEnv, runCli, tempDir } from './support/cli.ts';
import { kekEntry, keyringText, seedVault } from './support/vault-data.ts';

const temp = tempDir('db-escapes');
afterAll(() => temp.remove());

const HOSTILE = '\u001b]52;c;ZWNobyBwd25lZA==\u0007\u001b[8mPWNED\u001b]0;title\u0007';
const k1 = kekEntry(1, true);
const k2 = kekEntry(2, true);
const keys = keyringText(k2, k1);
const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/** Runs the CLI under a pseudo-terminal; everything it drew. */
function underPty(args: string[]): string {
  const { command, args: prefix } = cliCommand();
  const line = [command, ...prefix, ...args].map(quote).join(' ');
  const result = spawnSync('script', ['-qfec', `stty cols 200; exec ${line}`, '/dev/null'], {
    env: cliEnv({ COFFER_MASTER_KEYS: keys, TERM: 'xterm-256color' }),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.error !== undefined) throw result.error;
  return result.stdout;
}

/** Runs `statement` on the SQLite file `db`. */
async function tamper(db: string, statement: ReturnType<typeof sql>): Promise<void> {
  const store = createSqliteStore({ filename: db });
  try {
    await statement.execute(store.db);
  } finally {
    await store.close();
  }
}

function noInjected(text: string): void {
  expect(text).not.toContain('\u001b]');
  expect(text).not.toContain('\u001b[8m');
  expect(text).not.toContain('\u0007');
}

describe('text from a hostile database', () => {
  const db = join(temp.dir, 'hostile.db');
  let keyId: string;
  beforeAll(async () => {
    expect((await runCli(['migrate', '--db', db])).code).toBe(0);
    await seedVault(db, k1, 3);
    await tamper(
      db,
      sql`update coffer_vault_versions set kek_id = ${HOSTILE} where entry_id = (select min(entry_id) from coffer_vault_versions)`,
    );
    const minted = await runCli(
      ['api-keys', 'mint', '--db', db, '--org', 'org_h', '--env', 'test', '--name', 'h'],
      {},
    );
    keyId = /lp_test_([0-9A-Z]{16})_/.exec(minted.stdout)?.[1] as string;
    await tamper(
      db,
      sql`update coffer_api_key set scopes = ${JSON.stringify([HOSTILE])} where key_id = ${keyId}`,
    );
  });

  it('keys verify: no escape sequence in a pipe or on a terminal', async () => {
    const piped = await runCli(['keys', 'verify', '--db', db], {
      env: { COFFER_MASTER_KEYS: keys },
    });
    expect(piped.code, piped.stderr).toBe(6);
    expect(piped.stdout).toContain('KEYS_MISSING');
    expect(piped.stdout).not.toContain('\u001b');
    const screen = underPty(['keys', 'verify', '--db', db]);
    expect(screen).toContain('KEYS_MISSING');
    noInjected(screen);
  });

  it('api-keys show and list: scopes from the row, cleaned', async () => {
    const show = await runCli(['api-keys', 'show', '--db', db, keyId]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).not.toContain('\u001b');
    expect(show.stdout).toContain('PWNED');
    const list = await runCli(['api-keys', 'list', '--db', db, '--org', 'org_h']);
    expect(list.stdout).not.toContain('\u001b');
    noInjected(underPty(['api-keys', 'list', '--db', db, '--org', 'org_h']));
    noInjected(underPty(['api-keys', 'show', '--db', db, keyId]));
  });
});
