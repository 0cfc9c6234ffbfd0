// A database migrated by an earlier release (here: before coffer_004_vault_names_status added the
// vault entries' name, status and revision) makes the commands that read vault entries fail with
// exit 4 and "run 'coffer migrate' first", not a driver's message; `coffer migrate` then brings it
// up to date and the command works.
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { json, runCli, tempDir } from './support/cli.ts';
import { kekEntry, openStorage, seedVault } from './support/vault-data.ts';

const temp = tempDir('outdated');
let pg: TestDatabase;
beforeAll(async () => {
  pg = await createTestDatabase('cli_outdated');
});
afterAll(async () => {
  await pg.drop();
  temp.remove();
});

const targets = [
  { name: 'SQLite', db: () => join(temp.dir, 'old.db') },
  { name: 'PostgreSQL', db: () => pg.url },
] as const;

describe.each(targets)('a database from before migration 004 on $name', ({ db: dbOf }) => {
  it("keys verify: exit 4 telling to run 'coffer migrate'; after migrate, exit 0", async () => {
    const db = dbOf();
    const k1 = kekEntry(1, true);
    await seedVault(db, k1, 3);
    // Undo 004 as a database of the previous release would be: without its columns and record.
    const storage = openStorage(db);
    try {
      await sql`drop index if exists coffer_vault_entries_name_idx`.execute(storage.db);
      for (const column of ['revision', 'status', 'name']) {
        await sql`alter table coffer_vault_entries drop column ${sql.ref(column)}`.execute(
          storage.db,
        );
      }
      // The previous release knew no later migration either: their records go too (what they
      // created is idempotent, so migrate() applies them again over it).
      await sql`delete from coffer_migration where name >= 'coffer_004_vault_names_status'`.execute(
        storage.db,
      );
    } finally {
      await storage.close();
    }
    const outdated = await runCli(['keys', 'verify', '--db', db, '--json'], {
      env: { COFFER_MASTER_KEYS: k1 },
    });
    expect(outdated.code, outdated.stderr).toBe(4);
    expect(outdated.stdout + outdated.stderr).toContain("run 'coffer migrate' first");

    const migrated = await runCli(['migrate', '--db', db, '--json']);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(json(migrated.stdout)).toMatchObject({
      ok: true,
      applied: expect.arrayContaining(['coffer_004_vault_names_status']),
    });
    const ok = await runCli(['keys', 'verify', '--db', db, '--json'], {
      env: { COFFER_MASTER_KEYS: k1 },
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok.stdout)).toMatchObject({ ok: true, dataKekIds: ['1'] });
  });
});
