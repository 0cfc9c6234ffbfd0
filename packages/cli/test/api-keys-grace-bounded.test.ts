// `api-keys rotate --grace 99999999d` was handed to the library, which stored an old-secret expiry
// past the last valid Date: the new key printed (in a pipe) or crashed the terminal output after
// the rotation, and from then on `show` and `list` of that organization died with "a bug in coffer"
// (RangeError). Now --grace is at most a year (exit 2, nothing rotated), and a date out of range
// already stored (by another tool) shows as such.
import { join } from 'node:path';
import { type ApiKeyHasher, createApiKeyManager } from '@coffer/api-keys';
import { createSqliteStore } from '@coffer/store-sqlite';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/index.ts';
import { runCli, tempDir } from './support/cli.ts';

const temp = tempDir('grace');
const db = join(temp.dir, 'keys.db');
afterAll(() => temp.remove());
beforeAll(async () => {
  expect((await runCli(['migrate', '--db', db])).code).toBe(0);
});

/** Mints a key in process (a hasher that costs nothing: these tests never verify a key). */
async function withManager<T>(body: (m: ReturnType<typeof createApiKeyManager>) => Promise<T>) {
  const store = createSqliteStore({ filename: db });
  const hasher: ApiKeyHasher = {
    hash: async (key) => `h${key.length}`,
    verify: async () => false,
    dummyHash: async () => 'h0',
    close: async () => undefined,
  };
  try {
    return await body(createApiKeyManager({ store: store.apiKeys, hasher }));
  } finally {
    await store.close();
  }
}

describe('api-keys rotate --grace', () => {
  it('refuses more than a year (exit 2) and rotates nothing', async () => {
    const keyId = await withManager(
      async (m) => (await m.mint({ organizationId: 'org_g', env: 'test', name: 'g' })).keyId,
    );
    for (const grace of ['99999999d', '366d', '8761h']) {
      const r = await runCli(['api-keys', 'rotate', '--db', db, keyId, '--grace', grace]);
      expect(r.code, r.stderr).toBe(EXIT_CODES.usage);
      expect(r.stderr).toContain('--grace must be a duration of at most a year');
      expect(r.stdout).toBe('');
    }
    const show = await runCli(['api-keys', 'show', '--db', db, keyId, '--json']);
    expect(JSON.parse(show.stdout).info.rotatedAt).toBeNull();
    const ok = await runCli(['api-keys', 'rotate', '--db', db, keyId, '--grace', '365d', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).info.previousSecretValidUntil).toMatch(/^\d{4}-/);
  });

  it('show and list survive an expiry out of Date range stored by another tool', async () => {
    const keyId = await withManager(async (m) => {
      const { keyId: id } = await m.mint({ organizationId: 'org_far', env: 'test', name: 'far' });
      await m.rotate(id, { gracePeriodMs: 60_000 });
      return id;
    });
    // The library refuses such a grace period; another tool writes the row directly.
    const store = createSqliteStore({ filename: db });
    try {
      await sql`update coffer_api_key set previous_secret_expires_at = ${Date.now() + 99_999_999 * 86_400_000} where key_id = ${keyId}`.execute(
        store.db,
      );
    } finally {
      await store.close();
    }
    const show = await runCli(['api-keys', 'show', '--db', db, keyId]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('previous_secret_valid_until=(out of range)');
    const list = await runCli(['api-keys', 'list', '--db', db, '--org', 'org_far']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(keyId);
  });
});
