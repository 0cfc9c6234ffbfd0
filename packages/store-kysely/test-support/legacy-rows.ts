// Rows as an earlier release wrote them, inserted with plain SQL: a vault entry with only the
// columns of migration 001, sealed the way the vault seals (context: id, owner, kind, version), so
// a test can upgrade the schema underneath and read it back through the current store.
import { randomBytes, toHex } from '@coffer/core';
import { inspectSealed } from '@coffer/envelope';
import { type Kysely, sql } from 'kysely';
import type { DialectHarness } from './dialect-harness.js';
import { envelope1 } from './fixtures.js';

const T0 = 1_750_000_000_000;

/** Inserts an entry of migration 001's shape holding `value` (sealed under KEK 1); returns its id. */
export async function insertEntryOf001(
  h: DialectHarness,
  db: Kysely<unknown>,
  prefix: string,
  entry: { owner: string; kind: string; value: string; deletedAt?: number },
): Promise<string> {
  const id = `0190f5b2-7c1e-7a3b-9c4d-${toHex(randomBytes(6))}`;
  const context = { 'coffer.vault.id': id, owner: entry.owner, kind: entry.kind, version: '1' };
  const sealed = await envelope1.seal(entry.value, { context });
  const deletedAt = entry.deletedAt === undefined ? null : h.timeToDb(entry.deletedAt);
  await sql`insert into ${sql.table(`${prefix}vault_entries`)}
    (id, owner, kind, label, metadata, preview, version, created_at, updated_at, deleted_at)
    values (${id}, ${entry.owner}, ${entry.kind}, ${'old label'}, ${'{"old":true}'}, ${'…'}, 1,
      ${h.timeToDb(T0)}, ${h.timeToDb(T0)}, ${deletedAt})`.execute(db);
  await sql`insert into ${sql.table(`${prefix}vault_versions`)}
    (entry_id, version, kek_id, sealed, created_at)
    values (${id}, 1, ${inspectSealed(sealed).kekId}, ${Buffer.from(sealed)}, ${h.timeToDb(T0)})`.execute(
    db,
  );
  return id;
}

/**
 * Inserts an entry row of the current schema (no version row) with plain SQL, bypassing the store:
 * for checking what the database itself refuses.
 */
export async function insertEntryRow(
  h: DialectHarness,
  db: Kysely<unknown>,
  prefix: string,
  entry: { owner: string; name: string | null; status?: string | null; deletedAt?: number },
): Promise<string> {
  const id = `0190f5b2-7c1e-7a3b-9c4d-${toHex(randomBytes(6))}`;
  const deletedAt = entry.deletedAt === undefined ? null : h.timeToDb(entry.deletedAt);
  await sql`insert into ${sql.table(`${prefix}vault_entries`)}
    (id, owner, kind, label, name, status, metadata, preview, version, revision, created_at, updated_at, deleted_at)
    values (${id}, ${entry.owner}, ${'k'}, ${null}, ${entry.name}, ${entry.status ?? null}, ${'{}'},
      ${'…'}, 1, 1, ${h.timeToDb(T0)}, ${h.timeToDb(T0)}, ${deletedAt})`.execute(db);
  return id;
}
