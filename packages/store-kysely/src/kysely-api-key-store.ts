// The API key store's SQL, once for both dialects. The only read-modify-write, `updateKey`, is a
// single conditional UPDATE (`where key_id = ? and revision = ?`) decided by its affected-row
// count: the row lock (PostgreSQL) or the write lock (SQLite) serializes concurrent updates, and a
// loser re-evaluates `revision = ?` against the winner's row and matches nothing. Every method is
// one statement, retried as a whole on transient contention.
import type {
  ApiKeyChanges,
  ApiKeyListQuery,
  ApiKeyRecord,
  ApiKeyStore,
  KillSwitchTarget,
} from '@coffer/api-keys';
import type { Selectable, Updateable } from 'kysely';
import type { ApiKeyDatabase, ApiKeysTable, DbBool } from './api-key-tables.js';
import { assertNulFree } from './storable-text.js';
import type { StoreContext } from './store-context.js';

type Ctx = StoreContext<ApiKeyDatabase>;

function affected(result: {
  numUpdatedRows?: bigint;
  numInsertedOrUpdatedRows?: bigint | undefined;
}): number {
  return Number(result.numUpdatedRows ?? result.numInsertedOrUpdatedRows ?? 0n);
}

function switchTarget(target: KillSwitchTarget): string {
  return target.scope === 'global' ? 'global' : `organization:${target.organizationId}`;
}

// Bound as 0/1 on both dialects: SQLite's STRICT integer column takes it as is, and PostgreSQL
// parses the text parameter '1'/'0' as a boolean (drivers such as better-sqlite3 cannot bind a
// JS boolean at all).
function boolToDb(value: boolean): DbBool {
  return value ? 1 : 0;
}

function boolFromDb(value: unknown): boolean {
  return value === true || Number(value) === 1;
}

function scopesFromJson(value: unknown): string[] {
  if (!Array.isArray(value)) throw new TypeError('stored API key scopes are not a JSON array');
  return value.map((scope) => String(scope));
}

/** @internal Builds the {@link ApiKeyStore} over a {@link StoreContext}. */
export function createKyselyApiKeyStoreFromContext(ctx: Ctx): ApiKeyStore {
  const a = ctx.adapter;
  const keys = ctx.names.apiKeys as 'api_key';
  const switches = ctx.names.apiKeySwitches as 'kill_switch';
  // On PostgreSQL a text parameter holding U+0000 is a driver error; no stored value holds one.
  const canExist = (text: string): boolean => !a.nulFreeText || !text.includes('\u0000');
  const time = (ms: number): number => a.timeToDb(ms) as number;
  const timeOrNull = (ms: number | null): number | null => (ms === null ? null : time(ms));
  const timeFrom = (value: unknown): number | null =>
    value === null || value === undefined ? null : a.timeFromDb(value);

  const toRecord = (row: Selectable<ApiKeysTable>): ApiKeyRecord => ({
    keyId: row.key_id,
    organizationId: row.organization_id,
    env: row.env === 'test' ? 'test' : 'live',
    name: row.name,
    scopes: scopesFromJson(a.jsonFromDb(row.scopes)),
    tier: row.tier,
    start: row.start,
    secretHash: row.secret_hash,
    previousSecretHash: row.previous_secret_hash,
    previousSecretExpiresAt: timeFrom(row.previous_secret_expires_at),
    createdAt: a.timeFromDb(row.created_at),
    expiresAt: timeFrom(row.expires_at),
    rotatedAt: timeFrom(row.rotated_at),
    revokedAt: timeFrom(row.revoked_at),
    killed: boolFromDb(row.killed),
    lastUsedAt: timeFrom(row.last_used_at),
    revision: Number(row.revision),
  });

  const checkText = (fields: Record<string, string | null | undefined>): void => {
    if (!a.nulFreeText) return;
    for (const [parameter, value] of Object.entries(fields)) {
      if (value !== undefined) assertNulFree(value, parameter);
    }
  };

  const recordValues = (r: ApiKeyRecord): ApiKeysTable => ({
    key_id: r.keyId,
    organization_id: r.organizationId,
    env: r.env,
    name: r.name,
    scopes: a.jsonToDb([...r.scopes]) as string,
    tier: r.tier,
    start: r.start,
    secret_hash: r.secretHash,
    previous_secret_hash: r.previousSecretHash,
    previous_secret_expires_at: timeOrNull(r.previousSecretExpiresAt),
    created_at: time(r.createdAt),
    expires_at: timeOrNull(r.expiresAt),
    rotated_at: timeOrNull(r.rotatedAt),
    revoked_at: timeOrNull(r.revokedAt),
    killed: boolToDb(r.killed),
    last_used_at: timeOrNull(r.lastUsedAt),
    // A new key starts at revision 1 whatever the record says (the contract's rule).
    revision: 1,
  });

  // Only the fields given; `undefined` leaves a column untouched, `null` clears it.
  const changeValues = (c: ApiKeyChanges): Updateable<ApiKeysTable> => ({
    ...(c.secretHash === undefined ? {} : { secret_hash: c.secretHash }),
    ...(c.previousSecretHash === undefined ? {} : { previous_secret_hash: c.previousSecretHash }),
    ...(c.previousSecretExpiresAt === undefined
      ? {}
      : { previous_secret_expires_at: timeOrNull(c.previousSecretExpiresAt) }),
    ...(c.rotatedAt === undefined ? {} : { rotated_at: timeOrNull(c.rotatedAt) }),
    ...(c.revokedAt === undefined ? {} : { revoked_at: timeOrNull(c.revokedAt) }),
    ...(c.killed === undefined ? {} : { killed: boolToDb(c.killed) }),
  });

  return {
    async insertKey(record) {
      checkText({
        keyId: record.keyId,
        organizationId: record.organizationId,
        name: record.name,
        tier: record.tier,
        start: record.start,
        secretHash: record.secretHash,
        previousSecretHash: record.previousSecretHash,
      });
      for (const scope of record.scopes) checkText({ scopes: scope });
      const values = recordValues(record);
      // A duplicate key_id is not an error: the insert does nothing and reports no row.
      if (a.upsert === 'on-duplicate-key') {
        // No `on conflict do nothing` here (and `insert ignore` would also swallow constraint
        // violations): the duplicate-key error of a plain insert is the answer.
        try {
          await ctx.runner.once(() => ctx.db.insertInto(keys).values(values).execute());
          return true;
        } catch (error) {
          if (a.isUniqueViolation(error)) return false;
          throw error;
        }
      }
      const result = await ctx.runner.once(() =>
        ctx.db
          .insertInto(keys)
          .values(values)
          .onConflict((oc) => oc.column('key_id').doNothing())
          .executeTakeFirst(),
      );
      return affected(result) === 1;
    },

    async getKey(keyId) {
      if (!canExist(keyId)) return null;
      const row = await ctx.runner.once(() =>
        ctx.db.selectFrom(keys).selectAll().where('key_id', '=', keyId).executeTakeFirst(),
      );
      return row === undefined ? null : toRecord(row);
    },

    async updateKey(keyId, expectedRevision, changes) {
      if (!canExist(keyId) || !Number.isSafeInteger(expectedRevision)) return false;
      checkText({ secretHash: changes.secretHash, previousSecretHash: changes.previousSecretHash });
      const set = changeValues(changes);
      const result = await ctx.runner.once(() =>
        ctx.db
          .updateTable(keys)
          .set((eb) => ({ ...set, revision: eb('revision', '+', 1) }))
          .where('key_id', '=', keyId)
          .where('revision', '=', expectedRevision)
          .executeTakeFirst(),
      );
      return affected(result) === 1;
    },

    async touchKey(keyId, at) {
      if (!canExist(keyId)) return;
      const stamp = time(at);
      await ctx.runner.once(() =>
        ctx.db
          .updateTable(keys)
          .set({ last_used_at: stamp })
          .where('key_id', '=', keyId)
          .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', stamp)]))
          .executeTakeFirst(),
      );
    },

    async listKeys(query: ApiKeyListQuery) {
      if (!canExist(query.organizationId)) return [];
      const after = query.afterKeyId;
      if (after !== undefined) checkText({ afterKeyId: after });
      const rows = await ctx.runner.once(() => {
        let q = ctx.db
          .selectFrom(keys)
          .selectAll()
          .where('organization_id', '=', query.organizationId);
        if (after !== undefined) q = q.where('key_id', '>', after);
        return q.orderBy('key_id', 'asc').limit(query.limit).execute();
      });
      return rows.map(toRecord);
    },

    async getKillSwitch(target) {
      const name = switchTarget(target);
      if (!canExist(name)) return false;
      const row = await ctx.runner.once(() =>
        ctx.db.selectFrom(switches).select('killed').where('target', '=', name).executeTakeFirst(),
      );
      return row !== undefined && boolFromDb(row.killed);
    },

    async setKillSwitch(target, killed, at) {
      const name = switchTarget(target);
      checkText({ organizationId: name });
      const row = { target: name, killed: boolToDb(killed), updated_at: time(at) };
      await ctx.runner.once(() => {
        const insert = ctx.db.insertInto(switches).values(row);
        return (
          a.upsert === 'on-duplicate-key'
            ? insert.onDuplicateKeyUpdate({ killed: row.killed, updated_at: row.updated_at })
            : insert.onConflict((oc) =>
                oc.column('target').doUpdateSet((eb) => ({
                  killed: eb.ref('excluded.killed'),
                  updated_at: eb.ref('excluded.updated_at'),
                })),
              )
        ).execute();
      });
    },
  };
}
