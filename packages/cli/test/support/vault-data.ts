// Vault data for the rewrap and verify tests: entries sealed under one keyring, read back raw.
import { createEnvelope, createLocalKeyProvider, formatKekEntry, Keyring } from '@coffer/envelope';
import { createPostgresStore } from '@coffer/store-postgres';
import { createSqliteStore } from '@coffer/store-sqlite';
import { createVault, createVaultReader, type VaultStore } from '@coffer/vault';
import type { Kysely } from 'kysely';

/** A new keyring entry (text), `*<id>:…` when primary. */
export function kekEntry(id: number, primary: boolean): string {
  return formatKekEntry({ id, status: primary ? 'primary' : 'active' }).expose();
}

/** Keyring text with `primary` first and the others active. */
export function keyringText(primary: string, ...others: string[]): string {
  return [primary, ...others.map((e) => e.replace(/^\*/, ''))].join(',');
}

export interface Storage {
  readonly vault: VaultStore;
  /** The store's Kysely, for tests that change the schema underneath it. */
  readonly db: Kysely<unknown>;
  migrate(): Promise<unknown>;
  close(): Promise<void>;
}

/** The store of `--db` (a SQLite file or a PostgreSQL URL), opened by the library. */
export function openStorage(db: string): Storage {
  return db.startsWith('postgres')
    ? createPostgresStore({ connectionString: db, poolSize: 4 })
    : createSqliteStore({ filename: db });
}

/** Puts `count` values under `keys`; returns their ids and values. */
export async function seedVault(
  db: string,
  keys: string,
  count: number,
): Promise<{ id: string; value: string }[]> {
  const storage = openStorage(db);
  try {
    await storage.migrate();
    const provider = createLocalKeyProvider(Keyring.fromEnv(keys));
    const vault = createVault({ store: storage.vault, envelope: createEnvelope({ provider }) });
    const out: { id: string; value: string }[] = [];
    const batch = 50;
    for (let i = 0; i < count; i += batch) {
      const made = await Promise.all(
        Array.from({ length: Math.min(batch, count - i) }, async (_, j) => {
          const value = `tok-${i + j}-${Math.random().toString(36).slice(2)}`;
          const { id } = await vault.put({
            kind: 'test-token',
            owner: `org_${(i + j) % 7}`,
            value,
          });
          return { id, value };
        }),
      );
      out.push(...made);
    }
    return out;
  } finally {
    await storage.close();
  }
}

/** Every version row: id, KEK id and sealed bytes (hex), by id. */
export async function readVersions(
  db: string,
  ids: readonly string[],
): Promise<Map<string, { kekId: string; sealed: string }>> {
  const storage = openStorage(db);
  try {
    const out = new Map<string, { kekId: string; sealed: string }>();
    for (const id of ids) {
      const row = await storage.vault.getVersion(id, 1);
      if (row === undefined) throw new Error(`row ${id} is missing`);
      out.set(id, { kekId: row.kekId, sealed: Buffer.from(row.sealed).toString('hex') });
    }
    return out;
  } finally {
    await storage.close();
  }
}

/** Reveals every value with `keys` (through the library's reader): the ones that do not match. */
export async function mismatches(
  db: string,
  keys: string,
  expected: readonly { id: string; value: string }[],
): Promise<string[]> {
  const storage = openStorage(db);
  try {
    const provider = createLocalKeyProvider(Keyring.fromEnv(keys));
    const reader = createVaultReader({
      store: storage.vault,
      envelope: createEnvelope({ provider }),
      audit: { emit: () => undefined },
    });
    const bad: string[] = [];
    for (const { id, value } of expected) {
      const got = await reader.reveal(id, { actor: 'test', purpose: 'verify rewrap' });
      if (got.expose() !== value) bad.push(id);
    }
    return bad;
  } finally {
    await storage.close();
  }
}
