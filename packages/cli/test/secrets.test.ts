// `coffer secrets …` through the real binary on a SQLite file and on PostgreSQL: values from stdin
// only, checked before they are stored and never repeated; rotate one secret or everything due;
// list and status without a value; the declarations module and its export checked.
import { fileURLToPath } from 'node:url';
import { createEnvelope, createLocalKeyProvider, Keyring } from '@coffer/envelope';
import { createSecretsClient, createVaultSecretSource } from '@coffer/secrets';
import { createVault, createVaultReader } from '@coffer/vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { json, runCli, tempDir } from './support/cli.ts';
import { kekEntry, openStorage } from './support/vault-data.ts';

const declarations = fileURLToPath(new URL('./fixtures/secrets-declarations.mjs', import.meta.url));
const temp = tempDir('secrets');
const keys = kekEntry(1, true);
const env = { COFFER_MASTER_KEYS: keys };
const db = `${temp.dir}/secrets.db`;
const GOOD = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
let pg: TestDatabase;

beforeAll(async () => {
  expect((await runCli(['migrate', '--db', db])).code).toBe(0);
  pg = await createTestDatabase('cli_secrets');
  expect((await runCli(['migrate', '--db', pg.url])).code).toBe(0);
});
afterAll(async () => {
  temp.remove();
  await pg.drop();
});

const base = (target = db) => ['--db', target, '--declarations', declarations];

/** What the application reads, through its own vault source over the same database. */
async function appReads(target: string): Promise<{ stripe: string; hook: number }> {
  const { default: app } = (await import(declarations)) as {
    default: Parameters<typeof createSecretsClient>[0];
  };
  const storage = openStorage(target);
  try {
    const envelope = createEnvelope({ provider: createLocalKeyProvider(Keyring.fromEnv(keys)) });
    const source = createVaultSecretSource({
      vault: createVault({ store: storage.vault, envelope }),
      reader: createVaultReader({ store: storage.vault, envelope, audit: 'unaudited' }),
    });
    const api = await createSecretsClient(app, { surface: 'api', source });
    const stripe = api
      .secret('stripeApiKey' as never)
      .current()
      .value.expose() as string;
    const hook = api.secret('webhookSigning' as never).current().version;
    return { stripe, hook };
  } finally {
    await storage.close();
  }
}

describe('coffer secrets set', () => {
  it('refuses a malformed value with exit 2, without repeating it, and stores nothing', async () => {
    const bad = 'sk_live_TOO_SHORT_secretish';
    const r = await runCli(['secrets', 'set', 'stripeApiKey', ...base(), '--json'], {
      env,
      input: bad,
    });
    expect(r.code).toBe(2);
    expect(json(r.stdout)).toMatchObject({ ok: false, error: { code: 'SECRET_INVALID_FORMAT' } });
    expect(r.stdout + r.stderr).not.toContain('TOO_SHORT');
    expect(r.stderr).not.toContain('audit:');
    const list = await runCli(['secrets', 'list', ...base(), '--json'], { env });
    expect(json<{ secrets: { version: unknown }[] }>(list.stdout).secrets[0]?.version).toBeNull();
  });

  it('refuses a value given on the command line without echoing it', async () => {
    const r = await runCli(['secrets', 'set', GOOD, ...base()], { env, input: GOOD });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).not.toContain('4eC39');
  });

  it('refuses an empty stdin, a random secret, and an undeclared name', async () => {
    expect(
      (await runCli(['secrets', 'set', 'stripeApiKey', ...base()], { env, input: '\n' })).code,
    ).toBe(2);
    const random = await runCli(['secrets', 'set', 'webhookSigning', ...base(), '--json'], {
      env,
      input: GOOD,
    });
    expect(random.code).toBe(2);
    expect(json(random.stdout)).toMatchObject({ error: { code: 'SECRET_WRONG_MODE' } });
    const unknown = await runCli(['secrets', 'set', 'stripeApiKy', ...base(), '--json'], {
      env,
      input: GOOD,
    });
    expect(json(unknown.stdout)).toMatchObject({ error: { code: 'SECRET_UNKNOWN' } });
  });

  it('stores the stdin value (trailing newline removed) where the application reads it', async () => {
    const r = await runCli(['secrets', 'set', 'stripeApiKey', ...base(), '--json'], {
      env,
      input: `${GOOD}\n`,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout)).toEqual({
      name: 'stripeApiKey',
      physicalName: 'CS3ANVMWJB6Q97PGA5BS1ZQ8NF1Y',
      version: 1,
      written: true,
    });
    expect(r.stderr).toContain('audit: put CS3ANVMWJB6Q97PGA5BS1ZQ8NF1Y v1 owner=acme');
    expect(r.stdout + r.stderr).not.toContain('4eC39');
    expect((await runCli(['secrets', 'rotate', 'webhookSigning', ...base()], { env })).code).toBe(
      0,
    );
    expect(await appReads(db)).toEqual({ stripe: GOOD, hook: 1 });
  });
});

describe('coffer secrets rotate, list, status', () => {
  it('rotate --due, then status and list as JSON; nothing prints a value', async () => {
    const target = pg.url;
    const set = await runCli(['secrets', 'set', 'stripeApiKey', ...base(target)], {
      env,
      input: GOOD,
    });
    expect(set.code, set.stderr).toBe(0);
    const due = await runCli(['secrets', 'rotate', '--due', ...base(target), '--json'], { env });
    expect(due.code, due.stderr).toBe(0);
    expect(json(due.stdout)).toEqual({
      reports: [
        { name: 'stripeApiKey', mode: 'static', outcome: 'not-due', version: 1 },
        { name: 'webhookSigning', mode: 'random', outcome: 'rotated', version: 1 },
      ],
    });
    const again = await runCli(['secrets', 'rotate', '--due', ...base(target)], { env });
    expect(again.stdout).toBe(
      'stripeApiKey\tstatic\tnot-due\tv1\nwebhookSigning\trandom\tnot-due\tv1\n',
    );
    const one = await runCli(['secrets', 'rotate', 'webhookSigning', ...base(target), '--json'], {
      env,
    });
    expect(json(one.stdout)).toMatchObject({ name: 'webhookSigning', version: 2, written: true });
    const status = json<{ owner: string; secrets: Record<string, unknown>[] }>(
      (await runCli(['secrets', 'status', ...base(target), '--json'], { env })).stdout,
    );
    expect(status.owner).toBe('acme');
    expect(Object.keys(status.secrets[1] ?? {}).sort()).toEqual(
      [
        'name',
        'mode',
        'version',
        'lastRotatedAt',
        'nextDueAt',
        'due',
        'inProgress',
        'lastError',
      ].sort(),
    );
    expect(status.secrets[1]).toMatchObject({
      name: 'webhookSigning',
      version: 2,
      due: false,
      inProgress: null,
    });
    const list = json<Record<string, unknown>>(
      (await runCli(['secrets', 'list', ...base(target), '--json'], { env })).stdout,
    );
    expect(Object.keys(list).sort()).toEqual([
      'environment',
      'owner',
      'project',
      'secrets',
      'workspace',
    ]);
    expect(list.secrets).toEqual([
      {
        name: 'stripeApiKey',
        namespace: 'billing',
        mode: 'static',
        consumers: ['api'],
        physicalName: 'CS3ANVMWJB6Q97PGA5BS1ZQ8NF1Y',
        version: 1,
      },
      {
        name: 'webhookSigning',
        namespace: 'app',
        mode: 'random',
        consumers: ['api', 'worker'],
        physicalName: 'CSYVKWCVQ3XS6DGPTACET79HPHJM',
        version: 2,
      },
    ]);
    expect(await appReads(target)).toEqual({ stripe: GOOD, hook: 2 });
  });

  it('rotate takes a name or --due, not both or neither; a static secret is not rotated', async () => {
    expect((await runCli(['secrets', 'rotate', ...base()], { env })).code).toBe(2);
    expect(
      (await runCli(['secrets', 'rotate', 'webhookSigning', '--due', ...base()], { env })).code,
    ).toBe(2);
    const r = await runCli(['secrets', 'rotate', 'stripeApiKey', ...base(), '--json'], { env });
    expect(json(r.stdout)).toMatchObject({ error: { code: 'SECRET_WRONG_MODE' } });
  });
});

describe('the declarations module', () => {
  it('a missing file is a usage error; an export without a definition a config error', async () => {
    const missing = await runCli(
      ['secrets', 'list', '--db', db, '--declarations', `${temp.dir}/nope.mjs`, '--json'],
      { env },
    );
    expect(missing.code).toBe(2);
    const wrong = await runCli(
      ['secrets', 'list', ...base(), '--export', 'notADefinition', '--json'],
      {
        env,
      },
    );
    expect(wrong.code).toBe(3);
    expect(json(wrong.stdout)).toMatchObject({ error: { code: 'DECLARATIONS_INVALID' } });
    const badName = await runCli(['secrets', 'list', ...base(), '--export', 'a-b', '--json'], {
      env,
    });
    expect(badName.code).toBe(2);
  });

  it('without master keys nothing is opened (exit 3)', async () => {
    const r = await runCli(['secrets', 'list', ...base(), '--json'], { env: {} });
    expect(r.code).toBe(3);
    expect(json(r.stdout)).toMatchObject({ error: { code: 'MASTER_KEYS_MISSING' } });
  });
});
