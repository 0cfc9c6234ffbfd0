// `coffer api-keys …`, spawned against a real SQLite file and the real PostgreSQL, checked with
// the library's own verifier on the same database: what the command says it did is what a
// partner's request then meets.
import { join } from 'node:path';
import { createApiKeyVerifier, createBcryptHasher } from '@coffer/api-keys';
import { createPostgresStore } from '@coffer/store-postgres';
import { createSqliteStore } from '@coffer/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { json, runCli, tempDir } from './support/cli.ts';

const temp = tempDir('api-keys');
let pg: TestDatabase;
beforeAll(async () => {
  pg = await createTestDatabase('cli_api_keys');
});
afterAll(async () => {
  await pg.drop();
  temp.remove();
});

/** Verifies `key` against `db` with a fresh, uncached verifier: the code of the refusal, or the key's org. */
async function verify(db: string, key: string): Promise<string> {
  const storage = db.startsWith('postgres')
    ? createPostgresStore({ connectionString: db, poolSize: 2 })
    : createSqliteStore({ filename: db });
  const hasher = createBcryptHasher({ threads: 0 });
  try {
    const verifier = createApiKeyVerifier({
      store: storage.apiKeys,
      hasher,
      cache: false,
      stateTtlMs: 0,
    });
    const verified = await verifier.verify(key);
    return `ok:${verified.organizationId}`;
  } catch (error) {
    return (error as { code?: string }).code ?? 'ERROR';
  } finally {
    await hasher.close();
    await storage.close();
  }
}

interface Minted {
  apiKey: string;
  keyId: string;
  start: string;
  info: Record<string, unknown>;
  audit: { actor: string; reason: string | null; recorded: boolean; id: string | null };
}

describe.each([
  { name: 'SQLite', db: () => join(temp.dir, 'keys.db') },
  { name: 'PostgreSQL', db: () => pg.url },
])('coffer api-keys on $name', ({ db: dbOf }) => {
  let db: string;
  beforeAll(async () => {
    db = dbOf();
    const migrated = await runCli(['migrate', '--db', db]);
    expect(migrated.code, migrated.stderr).toBe(0);
  });

  it('mint prints the key once (JSON); the key verifies; revoke makes it REVOKED; kill then refuses (exit 5)', async () => {
    const minted = await runCli([
      'api-keys',
      'mint',
      '--db',
      db,
      '--org',
      'org_a',
      '--env',
      'live',
      '--name',
      'acme prod',
      '--scope',
      'events:read,events:write',
      '--actor',
      'alice',
      '--reason',
      'TICKET-1',
      '--json',
    ]);
    expect(minted.code, minted.stderr).toBe(0);
    const m = json<Minted>(minted.stdout);
    expect(m.apiKey).toMatch(/^lp_live_[0-9A-Z]{16}_[A-Za-z0-9_-]{43}$/);
    expect(m.start).toBe(`lp_live_${m.keyId}`);
    expect(m.info).toMatchObject({
      keyId: m.keyId,
      organizationId: 'org_a',
      env: 'live',
      name: 'acme prod',
      scopes: ['events:read', 'events:write'],
      status: 'active',
      killed: false,
    });
    expect(m.info).not.toHaveProperty('secretHash');
    expect(m.audit).toEqual({
      actor: 'alice',
      reason: 'TICKET-1',
      recorded: true,
      id: expect.stringMatching(/^[0-9A-Z]{26}$/),
    });
    expect(await verify(db, m.apiKey)).toBe('ok:org_a');

    const revoked = await runCli(['api-keys', 'revoke', '--db', db, m.keyId, '--json']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(json<{ info: { status: string } }>(revoked.stdout).info.status).toBe('revoked');
    expect(await verify(db, m.apiKey)).toBe('REVOKED');

    const kill = await runCli(['api-keys', 'kill', '--db', db, m.keyId, '--json']);
    expect(kill.code).toBe(5);
    expect(json(kill.stdout)).toMatchObject({
      ok: false,
      error: { code: 'KEY_REVOKED' },
      exitCode: 5,
    });
  });

  it('in a pipe, mint writes the key alone on stdout; list shows keys and switches, never hashes', async () => {
    const minted = await runCli([
      'api-keys',
      'mint',
      '--db',
      db,
      '--org',
      'org_b',
      '--env',
      'test',
      '--name',
      'ci',
    ]);
    expect(minted.code, minted.stderr).toBe(0);
    const key = minted.stdout.trim();
    expect(minted.stdout).toBe(`${key}\n`);
    expect(key).toMatch(/^lp_test_/);
    expect(minted.stderr).toContain(`Minted ${key.slice(0, 24)}`);
    expect(minted.stderr).not.toContain(key.slice(25));

    const list = await runCli(['api-keys', 'list', '--db', db, '--org', 'org_b', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const listed = json<{
      organizationId: string;
      killSwitches: unknown;
      keys: { keyId: string }[];
    }>(list.stdout);
    expect(listed.organizationId).toBe('org_b');
    expect(listed.killSwitches).toEqual({ organization: false, global: false });
    expect(listed.keys.map((k) => k.keyId)).toEqual([key.slice(8, 24)]);
    expect(list.stdout).not.toContain('$2');

    const tsv = await runCli(['api-keys', 'list', '--db', db, '--org', 'org_b']);
    const [header, row] = tsv.stdout.trim().split('\n');
    expect(header).toBe('KEY ID\tNAME\tENV\tSTATUS\tSCOPES\tCREATED\tLAST USED\tEXPIRES');
    expect(row?.split('\t').slice(0, 4)).toEqual([key.slice(8, 24), 'ci', 'test', 'active']);
  });
});

// The rest on SQLite only: the commands are the same on both, and each verification costs a
// bcrypt compare at cost 12.
describe('coffer api-keys: switches, rotation and refusals (SQLite)', () => {
  let db: string;
  beforeAll(async () => {
    db = join(temp.dir, 'keys-more.db');
    const migrated = await runCli(['migrate', '--db', db]);
    expect(migrated.code, migrated.stderr).toBe(0);
  });

  it('kill and unkill: a key, an organization, everything', async () => {
    const key = (
      await runCli([
        'api-keys',
        'mint',
        '--db',
        db,
        '--org',
        'org_c',
        '--env',
        'live',
        '--name',
        'k',
      ])
    ).stdout.trim();
    const keyId = key.slice(8, 24);
    const step = async (args: string[]) => {
      const r = await runCli(['api-keys', ...args, '--db', db, '--json']);
      expect(r.code, r.stderr).toBe(0);
      return json(r.stdout);
    };
    expect(await step(['kill', keyId])).toMatchObject({ info: { killed: true, status: 'killed' } });
    expect(await verify(db, key)).toBe('KILL_SWITCH');
    await step(['unkill', `lp_live_${keyId}`]);
    expect(await verify(db, key)).toBe('ok:org_c');
    expect(await step(['kill', '--org', 'org_c', '--reason', 'INC-7'])).toMatchObject({
      scope: 'organization',
      organizationId: 'org_c',
      killed: true,
      audit: { reason: 'INC-7', recorded: true },
    });
    expect(await verify(db, key)).toBe('KILL_SWITCH');
    await step(['unkill', '--org', 'org_c']);
    expect(await step(['kill', '--global'])).toMatchObject({ scope: 'global', killed: true });
    expect(await verify(db, key)).toBe('KILL_SWITCH');
    await step(['unkill', '--global']);
    expect(await verify(db, key)).toBe('ok:org_c');

    const both = await runCli(['api-keys', 'kill', '--db', db, keyId, '--global']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('exactly one target');
  });

  it('rotate prints the new key once; with --grace the old one works meanwhile', async () => {
    const old = (
      await runCli([
        'api-keys',
        'mint',
        '--db',
        db,
        '--org',
        'org_d',
        '--env',
        'live',
        '--name',
        'r',
      ])
    ).stdout.trim();
    const keyId = old.slice(8, 24);
    const graced = await runCli([
      'api-keys',
      'rotate',
      '--db',
      db,
      keyId,
      '--grace',
      '1h',
      '--json',
    ]);
    expect(graced.code, graced.stderr).toBe(0);
    const fresh = json<Minted>(graced.stdout);
    expect(fresh.keyId).toBe(keyId);
    expect(fresh.apiKey).not.toBe(old);
    expect(fresh.info.previousSecretValidUntil).toEqual(expect.any(String));
    expect(await verify(db, fresh.apiKey)).toBe('ok:org_d');
    expect(await verify(db, old)).toBe('ok:org_d');
    const hard = await runCli(['api-keys', 'rotate', '--db', db, keyId]);
    expect(hard.code, hard.stderr).toBe(0);
    expect(await verify(db, fresh.apiKey)).toBe('UNAUTHENTICATED');
    expect(await verify(db, hard.stdout.trim())).toBe('ok:org_d');
  });

  it('refuses: an unknown key (exit 5), a whole key in argv (not echoed), bad --actor, bad --expires', async () => {
    const missing = await runCli(['api-keys', 'show', '--db', db, '0000000000000000', '--json']);
    expect(missing.code).toBe(5);
    expect(json(missing.stdout)).toMatchObject({ error: { code: 'NOT_FOUND' } });

    const secret = 'lp_live_01HX9Y6K7EJ4T2AB_4QZpNabcdefghijklmnopqrstuvwxyzABCDEFGHIJKw';
    const whole = await runCli(['api-keys', 'revoke', '--db', db, secret]);
    expect(whole.code).toBe(2);
    expect(whole.stderr).toContain('whole API key');
    expect(whole.stderr).not.toContain('4QZpNabcdef');

    const actor = await runCli([
      'api-keys',
      'kill',
      '--db',
      db,
      '--global',
      '--actor',
      'bob\u001b[31m',
    ]);
    expect(actor.code).toBe(2);
    expect(actor.stderr).toContain(
      '--actor must be 1-256 characters without control or format characters',
    );

    const expires = await runCli([
      'api-keys',
      'mint',
      '--db',
      db,
      '--org',
      'o',
      '--env',
      'live',
      '--name',
      'n',
      '--expires',
      '2001-01-01',
    ]);
    expect(expires.code).toBe(2);

    const env = await runCli([
      'api-keys',
      'mint',
      '--db',
      db,
      '--org',
      'o',
      '--env',
      'prod',
      '--name',
      'n',
    ]);
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('--env must be live or test');
  });
});
