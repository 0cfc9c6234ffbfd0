// `coffer api-keys audit`, spawned against a real SQLite file and the real PostgreSQL: every change
// the other commands make is listed newest first with its --actor and --reason, per key, per
// organization or overall, in pages; a no-op is not recorded; stored text is cleaned on the
// terminal and in a pipe, and bad options are usage errors.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { EXIT_CODES } from '../src/index.ts';
import { json, runCli, tempDir } from './support/cli.ts';

const temp = tempDir('api-keys-audit');
let pg: TestDatabase;
beforeAll(async () => {
  pg = await createTestDatabase('cli_api_keys_audit');
});
afterAll(async () => {
  await pg.drop();
  temp.remove();
});

interface Entry {
  id: string;
  at: number;
  type: string;
  keyId: string | null;
  organizationId: string | null;
  actor: string;
  reason: string | null;
  requestId: string | null;
}

describe.each([
  { name: 'SQLite', db: () => join(temp.dir, 'audit.db') },
  { name: 'PostgreSQL', db: () => pg.url },
])('coffer api-keys audit on $name', ({ db: dbOf }) => {
  let db: string;
  let keyId: string;
  const cli = async (...args: string[]) => {
    const r = await runCli(['api-keys', ...args, '--db', db]);
    return r;
  };
  const ok = async (...args: string[]) => {
    const r = await cli(...args, '--json');
    expect(r.code, r.stderr).toBe(0);
    return json<Record<string, unknown>>(r.stdout);
  };

  beforeAll(async () => {
    db = dbOf();
    expect((await runCli(['migrate', '--db', db])).code).toBe(0);
    const minted = await ok(
      'mint',
      '--org',
      'org_audit',
      '--env',
      'live',
      '--name',
      'n',
      '--actor',
      'alice',
      '--reason',
      'TICKET-1',
    );
    keyId = minted.keyId as string;
    await ok('kill', keyId, '--actor', 'bob', '--reason', 'INC-7');
    // Already killed: nothing changes, nothing is recorded, and the JSON says so.
    expect((await ok('kill', keyId, '--actor', 'bob')).audit).toMatchObject({
      recorded: false,
      id: null,
    });
    await ok('unkill', keyId, '--actor', 'bob');
    await ok('kill', '--org', 'org_audit', '--actor', 'carol', '--reason', 'INC-8');
    await ok('unkill', '--global', '--actor', 'dave');
    await ok('mint', '--org', 'org_other', '--env', 'test', '--name', 'other', '--actor', 'erin');
  });

  it('lists one key, one organization or everything, newest first, with who and why', async () => {
    const byKey = (await ok('audit', '--key', keyId)).entries as Entry[];
    expect(byKey.map((e) => [e.type, e.actor, e.reason])).toEqual([
      ['unkilled', 'bob', null],
      ['killed', 'bob', 'INC-7'],
      ['minted', 'alice', 'TICKET-1'],
    ]);
    const byOrg = (await ok('audit', '--org', 'org_audit')).entries as Entry[];
    expect(byOrg.map((e) => e.type)).toEqual([
      'organization-killed',
      'unkilled',
      'killed',
      'minted',
    ]);
    const all = await ok('audit');
    expect((all.entries as Entry[]).map((e) => e.type)).toEqual([
      'minted',
      'global-unkilled',
      'organization-killed',
      'unkilled',
      'killed',
      'minted',
    ]);
    expect(all.next).toBeNull();
    // The display start names the key as well as its id.
    expect(((await ok('audit', '--key', `lp_live_${keyId}`)).entries as Entry[]).length).toBe(3);
  });

  it('pages with --limit and the printed cursor', async () => {
    const first = await ok('audit', '--limit', '4');
    expect((first.entries as Entry[]).length).toBe(4);
    expect(typeof first.next).toBe('string');
    const second = await ok('audit', '--limit', '4', '--after', first.next as string);
    expect((second.entries as Entry[]).length).toBe(2);
    expect(second.next).toBeNull();
    const piped = await cli('audit', '--limit', '4');
    expect(piped.code).toBe(0);
    expect(piped.stderr).toContain(`next page: --after ${first.next as string}`);
    const lines = piped.stdout.trim().split('\n');
    expect(lines[0]).toBe('TIME\tTYPE\tKEY ID\tORGANIZATION\tACTOR\tREASON\tREQUEST ID');
    expect(lines).toHaveLength(5);
  });

  it('refuses bad options with a usage error (exit 2)', async () => {
    for (const args of [
      ['audit', '--key', keyId, '--org', 'org_audit'],
      ['audit', '--limit', '0'],
      ['audit', '--limit', '1001'],
      ['audit', '--limit', 'ten'],
      ['audit', '--key', 'not-a-key'],
    ]) {
      const r = await cli(...args, '--json');
      expect(r.code, `${args.join(' ')}: ${r.stdout}`).toBe(EXIT_CODES.usage);
    }
    const r = await cli('audit', '--after', 'garbage', '--json');
    expect(r.code).not.toBe(0);
    expect(json(r.stdout)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

describe('stored actors and reasons on the terminal and in a pipe', () => {
  it('lose control and format characters when shown', async () => {
    const db = join(temp.dir, 'hostile.db');
    expect((await runCli(['migrate', '--db', db])).code).toBe(0);
    // Written by another tool through the library, which refuses them: here straight into the table.
    const { createSqliteStore } = await import('@coffer/store-sqlite');
    const storage = createSqliteStore({ filename: db });
    await storage.apiKeys.setKillSwitch({ scope: 'global' }, true, 1_750_000_000_000, {
      audit: {
        id: '01J00000000000000000000001',
        at: 1_750_000_000_000,
        type: 'global-killed',
        keyId: null,
        organizationId: null,
        actor: 'mallory\u001b[2J\u202eevil',
        reason: 'line\u2028break',
        requestId: null,
      },
    });
    await storage.close();
    const piped = await runCli(['api-keys', 'audit', '--db', db]);
    expect(piped.code, piped.stderr).toBe(0);
    for (const c of ['\u001b', '\u202e', '\u2028']) expect(piped.stdout).not.toContain(c);
    expect(piped.stdout).toContain('mallory [2J evil');
  });
});
