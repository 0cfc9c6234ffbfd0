// `coffer provider-keys …`, spawned against a real SQLite file and the real PostgreSQL, with a
// local stand-in answering the provider's check: the key goes in on stdin and never comes out —
// not on stdout, not on stderr, not in an error — and what the commands say they stored is what
// the library then resolves from the same database.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createEnvelope, createLocalKeyProvider, Keyring } from '@coffer/envelope';
import {
  builtInProviders,
  createProviderKeys,
  createProviderRegistry,
} from '@coffer/provider-keys';
import { createPostgresStore } from '@coffer/store-postgres';
import { createSqliteStore } from '@coffer/store-sqlite';
import { createVault, createVaultReader } from '@coffer/vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { run } from '../src/index.ts';
import { json, runCli, tempDir } from './support/cli.ts';
import { kekEntry } from './support/vault-data.ts';

const KEY = `sk-proj-${'Cl1T3st0'.repeat(8)}Wx9Z`;
const NEW_KEY = `sk-proj-${'N3wCl1K3'.repeat(8)}Yy7Q`;
const MASTER = kekEntry(1, true);
const env = { COFFER_MASTER_KEYS: MASTER };

const temp = tempDir('provider-keys');
let pg: TestDatabase;
let standIn: Server;
let standInUrl: string;
let answer = 200;

beforeAll(async () => {
  pg = await createTestDatabase('cli_provider_keys');
  standIn = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(answer, { 'content-type': 'application/json' });
      res.end(answer === 200 ? '{"data":[]}' : '{"error":{"code":"invalid_api_key"}}');
    });
  });
  standIn.listen(0, '127.0.0.1');
  await once(standIn, 'listening');
  standInUrl = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`;
});
afterAll(async () => {
  standIn.close();
  await pg.drop();
  temp.remove();
});

function expectNoKey(...texts: string[]): void {
  for (const text of texts) {
    expect(text.includes(KEY) || text.includes(NEW_KEY) || text.includes(KEY.slice(20, 50))).toBe(
      false,
    );
  }
}

/** Resolves the owner's key with the library, on a fresh manager over the same database. */
async function resolveWithLibrary(db: string, owner: string): Promise<string> {
  const storage = db.startsWith('postgres')
    ? createPostgresStore({ connectionString: db, poolSize: 2 })
    : createSqliteStore({ filename: db });
  try {
    const keyring = Keyring.fromEnv(MASTER);
    const envelope = createEnvelope({ provider: createLocalKeyProvider(keyring) });
    const keys = createProviderKeys({
      providers: createProviderRegistry(builtInProviders),
      vault: createVault({ store: storage.vault, envelope }),
      reader: createVaultReader({ store: storage.vault, envelope, audit: 'unaudited' }),
      platformKeys: () => 'platform',
    });
    const r = await keys.resolve(owner, 'openai');
    return r.source === 'customer' ? r.key.expose() : `platform:${r.fallbackReason}`;
  } finally {
    await storage.close();
  }
}

describe.each([
  { name: 'SQLite', db: () => join(temp.dir, 'keys.db') },
  { name: 'PostgreSQL', db: () => pg.url },
])('coffer provider-keys on $name', ({ db: dbOf }) => {
  let db: string;
  const base = (verb: string, owner = 'org_42') => [
    'provider-keys',
    verb,
    '--db',
    db,
    '--owner',
    owner,
  ];
  beforeAll(async () => {
    db = dbOf();
    const migrated = await runCli(['migrate', '--db', db]);
    expect(migrated.code, migrated.stderr).toBe(0);
  });

  it('set reads the key from stdin, prints only its display prefix, and the library resolves it', async () => {
    const set = await runCli([...base('set'), '--provider', 'openai', '--json'], {
      env,
      input: `${KEY}\n`,
    });
    expect(set.code, set.stderr).toBe(0);
    expectNoKey(set.stdout, set.stderr);
    const { key } = json<{ key: Record<string, unknown> }>(set.stdout);
    expect(key).toMatchObject({
      provider: 'openai',
      status: 'active',
      version: 1,
      displayPrefix: 'sk-proj-…Wx9Z',
    });
    expect(await resolveWithLibrary(db, 'org_42')).toBe(KEY);

    const again = await runCli([...base('set'), '--provider', 'openai', '--json'], {
      env,
      input: NEW_KEY,
    });
    expect(json<{ key: { id: string; version: number } }>(again.stdout).key).toMatchObject({
      id: key.id,
      version: 2,
    });
    expect(await resolveWithLibrary(db, 'org_42')).toBe(NEW_KEY);
  });

  it('list, disable, enable, delete, restore: the state the library then sees', async () => {
    const listed = await runCli([...base('list'), '--json'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(json<{ owner: string; keys: unknown[] }>(listed.stdout)).toMatchObject({
      owner: 'org_42',
      keys: [{ provider: 'openai', status: 'active' }],
    });
    const tsv = await runCli(base('list'), { env });
    expect(tsv.stdout.split('\n')[0]).toBe(
      'PROVIDER\tSTATUS\tKEY\tVERSION\tLAST TEST\tLAST USED\tDELETED',
    );

    expect((await runCli([...base('disable'), '--provider', 'openai'], { env })).code).toBe(0);
    expect(await resolveWithLibrary(db, 'org_42')).toBe('platform:disabled');
    expect((await runCli([...base('enable'), '--provider', 'openai'], { env })).code).toBe(0);
    expect(await resolveWithLibrary(db, 'org_42')).toBe(NEW_KEY);
    const deleted = await runCli([...base('delete'), '--provider', 'openai', '--json'], { env });
    expect(
      json<{ key: { deletedAt: string | null } }>(deleted.stdout).key.deletedAt,
    ).not.toBeNull();
    expect(await resolveWithLibrary(db, 'org_42')).toBe('platform:no_key');
    expect((await runCli([...base('restore'), '--provider', 'openai'], { env })).code).toBe(0);
    expect(await resolveWithLibrary(db, 'org_42')).toBe(NEW_KEY);
  });

  it('test runs the check against the provider (here a stand-in), records it; a 401 marks the key invalid (exit 6)', async () => {
    answer = 200;
    const ok = await runCli(
      [...base('test'), '--provider', 'openai', '--base-url', standInUrl, '--json'],
      { env },
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(json<{ result: unknown }>(ok.stdout).result).toEqual({ status: 'valid' });
    // The reveal is audited on stderr, without the key.
    expect(ok.stderr).toContain('"action":"reveal"');
    expectNoKey(ok.stdout, ok.stderr);
    answer = 401;
    const bad = await runCli(
      [...base('test'), '--provider', 'openai', '--base-url', standInUrl, '--json'],
      { env },
    );
    expect(bad.code).toBe(6);
    expect(
      json<{ key: { status: string; invalid: { reason: string } } }>(bad.stdout).key,
    ).toMatchObject({ status: 'invalid', invalid: { reason: 'key_rejected' } });
    expect(await resolveWithLibrary(db, 'org_42')).toBe('platform:invalid');
    expect((await runCli([...base('enable'), '--provider', 'openai'], { env })).code).toBe(0);
  });

  it("another owner's key answers like a missing one (exit 5), and nothing changes", async () => {
    const foreign = await runCli([...base('disable', 'org_7'), '--provider', 'openai', '--json'], {
      env,
    });
    const missing = await runCli(
      [...base('disable', 'org_never'), '--provider', 'openai', '--json'],
      { env },
    );
    expect(foreign.code, foreign.stdout + foreign.stderr).toBe(5);
    expect(foreign.stdout).toBe(missing.stdout);
    expect(json<{ error: { code: string } }>(foreign.stdout).error.code).toBe(
      'PROVIDER_KEY_NOT_FOUND',
    );
    expect(await resolveWithLibrary(db, 'org_42')).toBe(NEW_KEY);
  });

  it('refuses a malformed key (no key text), an unknown provider, and a key passed as an argument', async () => {
    const bad = await runCli([...base('set'), '--provider', 'anthropic'], { env, input: KEY });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('does not have the Anthropic key format (wrong_provider)');
    expectNoKey(bad.stdout, bad.stderr);
    const unknown = await runCli([...base('set'), '--provider', 'cohere'], { env, input: KEY });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      '--provider must be one of openai, anthropic, google, mistral',
    );
    const argv = await runCli([...base('set'), '--provider', 'openai', '--key', KEY], {
      env,
      input: '',
    });
    expect(argv.code).toBe(2);
    expectNoKey(argv.stdout, argv.stderr);
    const empty = await runCli([...base('set'), '--provider', 'openai'], { env, input: '' });
    expect(empty.code).toBe(2);
    const twoLines = await runCli([...base('set'), '--provider', 'openai'], {
      env,
      input: `${KEY}\n${KEY}\n`,
    });
    expect(twoLines.code).toBe(2);
    expectNoKey(twoLines.stdout, twoLines.stderr);
  });
});

describe('coffer provider-keys in this process', () => {
  it('set refuses a terminal on stdin: the key would be typed in the clear', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const out = new PassThrough();
    const err = new PassThrough();
    const chunks: Buffer[] = [];
    err.on('data', (d: Buffer) => chunks.push(d));
    const code = await run(
      [
        'provider-keys',
        'set',
        '--db',
        join(temp.dir, 'none.db'),
        '--owner',
        'o',
        '--provider',
        'openai',
      ],
      { stdin, stdout: out, stderr: err, env },
    );
    expect(code).toBe(2);
    expect(Buffer.concat(chunks).toString()).toContain('reads the key from stdin');
  });

  it('a stdin larger than one key is refused without reading on', async () => {
    const stdin = new PassThrough();
    stdin.end(Buffer.alloc(10_000, 'a'));
    const err = new PassThrough();
    const chunks: Buffer[] = [];
    err.on('data', (d: Buffer) => chunks.push(d));
    const code = await run(
      [
        'provider-keys',
        'set',
        '--db',
        join(temp.dir, 'none.db'),
        '--owner',
        'o',
        '--provider',
        'openai',
      ],
      { stdin, stdout: new PassThrough(), stderr: err, env },
    );
    expect(code).toBe(2);
    expect(Buffer.concat(chunks).toString()).toContain('more than one provider key');
  });
});
