// What only PostgreSQL does, beyond the shared suite: native column types (uuid, bytea,
// timestamptz, jsonb, boolean, bigint) and the exact index definitions, tables in a schema of their
// own, key ids in collation "C" whatever the database collation, and text PostgreSQL cannot hold
// (U+0000) refused with INVALID_INPUT on every write and simply not found on every read (a preview
// never holds it: the vault shows control characters as U+FFFD, see the shared edge values).
import { isCofferError } from '@coffer/core';
import { createVault, createVaultReader } from '@coffer/vault';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { envelope1, who } from '../../store-kysely/test-support/fixtures.js';
import { apiKeyRecord, keyIdOf, T0 } from '../../store-kysely/test-support/index.js';
import { createPostgresStore, type PostgresStore, postgresMigrations } from '../src/index.js';

let database: TestDatabase;
let storage: PostgresStore;

beforeAll(async () => {
  database = await createTestDatabase('pg_specific');
  storage = createPostgresStore({ connectionString: database.url, poolSize: 4, schema: 'app' });
  await storage.migrate();
});
afterAll(async () => {
  await storage?.close();
  await database?.drop();
});

describe('PostgreSQL types and schema', () => {
  it('puts the tables and the migration bookkeeping in the configured schema', async () => {
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'app'
      order by table_name`.execute(storage.db);
    expect(tables.rows.map((r) => r.table_name)).toEqual([
      'coffer_api_key',
      'coffer_api_key_audit',
      'coffer_kill_switch',
      'coffer_migration',
      'coffer_migration_lock',
      'coffer_vault_entries',
      'coffer_vault_versions',
    ]);
  });

  it('uses native types: uuid, bytea, timestamptz, jsonb, boolean, bigint', async () => {
    const r = await sql<{ table_name: string; column_name: string; data_type: string }>`
      select table_name, column_name, data_type from information_schema.columns
      where table_schema = 'app' and table_name not like '%migration%'`.execute(storage.db);
    const type = (t: string, c: string) =>
      r.rows.find((x) => x.table_name === `coffer_${t}` && x.column_name === c)?.data_type;
    expect(type('vault_entries', 'id')).toBe('uuid');
    expect(type('vault_entries', 'metadata')).toBe('jsonb');
    expect(type('vault_entries', 'created_at')).toBe('timestamp with time zone');
    expect(type('vault_entries', 'deleted_at')).toBe('timestamp with time zone');
    expect(type('vault_entries', 'name')).toBe('text');
    expect(type('vault_entries', 'status')).toBe('text');
    expect(type('vault_entries', 'revision')).toBe('bigint');
    expect(type('vault_versions', 'entry_id')).toBe('uuid');
    expect(type('vault_versions', 'sealed')).toBe('bytea');
    expect(type('api_key', 'key_id')).toBe('text');
    expect(type('api_key', 'scopes')).toBe('jsonb');
    expect(type('api_key', 'killed')).toBe('boolean');
    expect(type('api_key', 'revision')).toBe('bigint');
    for (const c of ['previous_secret_expires_at', 'created_at', 'expires_at', 'last_used_at']) {
      expect(type('api_key', c)).toBe('timestamp with time zone');
    }
    expect(type('api_key', 'metadata')).toBe('jsonb');
    expect(type('api_key_audit', 'at')).toBe('timestamp with time zone');
    expect(type('api_key_audit', 'id')).toBe('text');
    expect(type('kill_switch', 'killed')).toBe('boolean');
    expect(type('kill_switch', 'updated_at')).toBe('timestamp with time zone');
    const indexes = await sql<{ indexdef: string }>`
      select indexdef from pg_indexes where schemaname = 'app' and tablename not like '%migration%'
      order by indexname`.execute(storage.db);
    expect(indexes.rows.map((x) => x.indexdef.replaceAll('app.', 'S.'))).toEqual([
      'CREATE INDEX coffer_api_key_audit_at_idx ON S.coffer_api_key_audit USING btree (at, id)',
      'CREATE INDEX coffer_api_key_audit_key_idx ON S.coffer_api_key_audit USING btree (key_id, at, id)',
      'CREATE INDEX coffer_api_key_audit_organization_idx ON S.coffer_api_key_audit USING btree (organization_id, at, id)',
      'CREATE UNIQUE INDEX coffer_api_key_audit_pkey ON S.coffer_api_key_audit USING btree (id)',
      'CREATE INDEX coffer_api_key_organization_idx ON S.coffer_api_key USING btree (organization_id, key_id)',
      'CREATE UNIQUE INDEX coffer_api_key_pkey ON S.coffer_api_key USING btree (key_id)',
      'CREATE UNIQUE INDEX coffer_kill_switch_pkey ON S.coffer_kill_switch USING btree (target)',
      'CREATE INDEX coffer_vault_entries_deleted_idx ON S.coffer_vault_entries USING btree (deleted_at, id) WHERE (deleted_at IS NOT NULL)',
      'CREATE UNIQUE INDEX coffer_vault_entries_name_idx ON S.coffer_vault_entries USING btree (owner, name) WHERE ((name IS NOT NULL) AND (deleted_at IS NULL))',
      'CREATE INDEX coffer_vault_entries_owner_idx ON S.coffer_vault_entries USING btree (owner, id)',
      'CREATE INDEX coffer_vault_entries_owner_kind_idx ON S.coffer_vault_entries USING btree (owner, kind, id)',
      'CREATE UNIQUE INDEX coffer_vault_entries_pkey ON S.coffer_vault_entries USING btree (id)',
      'CREATE INDEX coffer_vault_versions_kek_idx ON S.coffer_vault_versions USING btree (kek_id, entry_id, version)',
      'CREATE UNIQUE INDEX coffer_vault_versions_pkey ON S.coffer_vault_versions USING btree (entry_id, version)',
    ]);
  });

  it('stores API keys as timestamptz, boolean, jsonb and bigint; key_id in collation "C"', async () => {
    const keyId = keyIdOf(5);
    await storage.apiKeys.insertKey(
      apiKeyRecord(keyId, { killed: true, lastUsedAt: T0 + 1, scopes: ['a:b', 'ü:✓'] }),
    );
    const row = await sql<Record<string, unknown>>`
      select created_at = to_timestamp(${T0 / 1000}) as created_ok, killed,
             jsonb_typeof(scopes) as scopes_type, scopes, pg_typeof(revision)::text as revision_type
      from app.coffer_api_key where key_id = ${keyId}`.execute(storage.db);
    expect(row.rows[0]).toEqual({
      created_ok: true,
      killed: true,
      scopes_type: 'array',
      scopes: ['a:b', 'ü:✓'],
      revision_type: 'bigint',
    });
    await storage.apiKeys.setKillSwitch({ scope: 'global' }, true, T0);
    const sw = await sql<Record<string, unknown>>`
      select killed, updated_at = to_timestamp(${T0 / 1000}) as updated_ok
      from app.coffer_kill_switch where target = 'global'`.execute(storage.db);
    expect(sw.rows[0]).toEqual({ killed: true, updated_ok: true });
    // The test server's own collation may already be C; the column's is C regardless.
    const collation = await sql<{ collation_name: string }>`
      select collation_name from information_schema.columns
      where table_schema = 'app' and table_name = 'coffer_api_key' and column_name = 'key_id'`.execute(
      storage.db,
    );
    expect(collation.rows).toEqual([{ collation_name: 'C' }]);
  });

  it('renders statements for another prefix and schema', () => {
    const [init, apiKeys] = postgresMigrations({ tablePrefix: 'acme_', schema: 'secrets' });
    const script = init?.up.map((s) => `${s};`).join('\n');
    expect(script?.startsWith('create schema if not exists "secrets";')).toBe(true);
    expect(script).toContain('create table if not exists "secrets"."acme_vault_entries"');
    expect(apiKeys?.up.join('\n')).toContain('create table if not exists "secrets"."acme_api_key"');
    expect([...(init?.up ?? []), ...(apiKeys?.up ?? [])].join('\n')).not.toContain('coffer_');
  });
});

describe('named prepared statements (quick path)', () => {
  async function preparedOn(storage: PostgresStore): Promise<string[]> {
    const r = await sql<{ statement: string }>`
      select statement from pg_prepared_statements order by name`.execute(storage.db);
    return r.rows.map((x) => x.statement);
  }

  it("the hot queries are prepared once per connection; the host's own queries are not", async () => {
    const one = createPostgresStore({ connectionString: database.url, poolSize: 1, schema: 'app' });
    try {
      const vault = createVault({ store: one.vault, envelope: envelope1 });
      const reader = createVaultReader({
        store: one.vault,
        envelope: envelope1,
        audit: 'unaudited',
      });
      const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'v-named-0123456789' });
      for (let i = 0; i < 3; i++)
        expect((await reader.reveal(id, who)).expose()).toBe('v-named-0123456789');
      const prepared = await preparedOn(one);
      expect(prepared.filter((s) => s.includes('left join'))).toHaveLength(1);
      expect(prepared.filter((s) => s.startsWith('with "e" as (insert'))).toHaveLength(1);
      expect(prepared.some((s) => s.includes('pg_prepared_statements'))).toBe(false);
    } finally {
      await one.close();
    }
  });

  it('preparedStatements: false and your own Kysely use unnamed statements only', async () => {
    const off = createPostgresStore({
      connectionString: database.url,
      poolSize: 1,
      schema: 'app',
      preparedStatements: false,
    });
    try {
      const vault = createVault({ store: off.vault, envelope: envelope1 });
      const reader = createVaultReader({
        store: off.vault,
        envelope: envelope1,
        audit: 'unaudited',
      });
      const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'v-unnamed-0123456789' });
      expect((await reader.reveal(id, who)).expose()).toBe('v-unnamed-0123456789');
      expect(await preparedOn(off)).toEqual([]);
    } finally {
      await off.close();
    }
  });

  it('a column added by a later migration does not break statements already prepared', async () => {
    const one = createPostgresStore({ connectionString: database.url, poolSize: 1, schema: 'app' });
    try {
      const vault = createVault({ store: one.vault, envelope: envelope1 });
      const reader = createVaultReader({
        store: one.vault,
        envelope: envelope1,
        audit: 'unaudited',
      });
      const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'v-altered-0123456789' });
      expect((await reader.reveal(id, who)).expose()).toBe('v-altered-0123456789');
      await sql`alter table app.coffer_vault_entries add column later_column text`.execute(one.db);
      await sql`alter table app.coffer_vault_versions add column later_column text`.execute(one.db);
      expect((await reader.reveal(id, who)).expose()).toBe('v-altered-0123456789');
      expect(
        (await vault.put({ kind: 'k', owner: 'o', value: 'v-after-0123456789' })).version,
      ).toBe(1);
    } finally {
      await sql`alter table app.coffer_vault_entries drop column later_column`.execute(storage.db);
      await sql`alter table app.coffer_vault_versions drop column later_column`.execute(storage.db);
      await one.close();
    }
  });
});

describe('text PostgreSQL cannot hold (U+0000)', () => {
  it('API key writes are refused with INVALID_INPUT; reads find nothing', async () => {
    const store = storage.apiKeys;
    for (const bad of [
      apiKeyRecord('NUL0000000000000', { name: 'a\u0000b' }),
      apiKeyRecord('NUL0000000000001', { scopes: ['x\u0000'] }),
      apiKeyRecord('NUL0000000000003', { tier: 'partner\u0000' }),
      apiKeyRecord('NUL00000000000\u00002'),
    ]) {
      const error = await store.insertKey(bad).catch((e: unknown) => e);
      expect(isCofferError(error, 'INVALID_INPUT'), String(error)).toBe(true);
    }
    expect(await store.getKey('NUL0000000000000')).toBeNull();
    expect(await store.getKey('NUL00000000000\u00002')).toBeNull();
    expect(await store.updateKey('NUL00000000000\u00002', 1, { killed: true })).toBe(false);
    await store.touchKey('NUL00000000000\u00002', T0);
    expect(await store.listKeys({ organizationId: 'org\u0000', limit: 5 })).toEqual([]);
    expect(await store.getKillSwitch({ scope: 'organization', organizationId: 'o\u0000' })).toBe(
      false,
    );
  });
});
