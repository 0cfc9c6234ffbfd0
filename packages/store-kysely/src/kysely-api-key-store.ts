// The API key store's SQL, once for every dialect. The only read-modify-write, `updateKey`, is a
// conditional UPDATE (`where key_id = ? and revision = ?`) decided by its affected-row count: the
// row lock (PostgreSQL, InnoDB) or the write lock (SQLite) serializes concurrent updates, and a
// loser re-evaluates `revision = ?` against the winner's row and matches nothing. A write that
// carries an audit entry is one transaction: the change, then — only if it matched a row — the
// entry, so a change that did not apply (or rolled back) leaves no entry and one that committed
// always has its entry. A change is still one revision bump of one key row (or one switch row
// upsert). Reads and writes without an entry are one statement. Everything is retried as a whole
// on transient contention.
import type {
  ApiKeyAuditEntry,
  ApiKeyAuditQuery,
  ApiKeyChanges,
  ApiKeyChangeType,
  ApiKeyListQuery,
  ApiKeyRecord,
  ApiKeyStore,
  KillSwitchTarget,
} from '@coffer/api-keys';
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { ApiKeyAuditTable, ApiKeyDatabase, ApiKeysTable, DbBool } from './api-key-tables.js';
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

function metadataFromJson(value: unknown): ApiKeyRecord['metadata'] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('stored API key metadata is not a JSON object');
  }
  return value as ApiKeyRecord['metadata'];
}

/** @internal Builds the {@link ApiKeyStore} over a {@link StoreContext}. */
export function createKyselyApiKeyStoreFromContext(ctx: Ctx): ApiKeyStore {
  const a = ctx.adapter;
  const keys = ctx.names.apiKeys as 'api_key';
  const switches = ctx.names.apiKeySwitches as 'kill_switch';
  const audits = ctx.names.apiKeyAudit as 'api_key_audit';
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
    // A database not yet migrated to 005 has no metadata column: its keys still verify.
    metadata: row.metadata === undefined ? {} : metadataFromJson(a.jsonFromDb(row.metadata)),
  });

  const toEntry = (row: Selectable<ApiKeyAuditTable>): ApiKeyAuditEntry => ({
    id: row.id,
    at: a.timeFromDb(row.at),
    type: row.type as ApiKeyChangeType,
    keyId: row.key_id,
    organizationId: row.organization_id,
    actor: row.actor,
    reason: row.reason,
    requestId: row.request_id,
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
    metadata: a.jsonToDb(r.metadata) as string,
  });

  const entryValues = (e: ApiKeyAuditEntry): ApiKeyAuditTable => {
    checkText({
      auditId: e.id,
      type: e.type,
      keyId: e.keyId,
      organizationId: e.organizationId,
      actor: e.actor,
      reason: e.reason,
      requestId: e.requestId,
    });
    return {
      id: e.id,
      at: time(e.at),
      type: e.type,
      key_id: e.keyId,
      organization_id: e.organizationId,
      actor: e.actor,
      reason: e.reason,
      request_id: e.requestId,
    };
  };

  /** Runs `write` alone, or with the audit entry in one transaction when there is one. */
  const withAudit = <T>(
    audit: ApiKeyAuditEntry | undefined,
    write: (db: Kysely<ApiKeyDatabase>) => Promise<T>,
    applied: (result: T) => boolean,
  ): Promise<T> => {
    if (audit === undefined) return ctx.runner.once(() => write(ctx.db));
    const row = entryValues(audit);
    return ctx.runner.transaction(ctx.db, async (trx) => {
      const result = await write(trx);
      if (applied(result)) await trx.insertInto(audits).values(row).execute();
      return result;
    });
  };

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
    ...(c.name === undefined ? {} : { name: c.name }),
    ...(c.scopes === undefined ? {} : { scopes: a.jsonToDb([...c.scopes]) as string }),
    ...(c.tier === undefined ? {} : { tier: c.tier }),
    ...(c.expiresAt === undefined ? {} : { expires_at: timeOrNull(c.expiresAt) }),
    ...(c.metadata === undefined ? {} : { metadata: a.jsonToDb(c.metadata) as string }),
  });

  return {
    async insertKey(record, options) {
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
      const audit = options?.audit;
      // A duplicate key_id is not an error: the insert does nothing and reports no row.
      if (a.upsert === 'on-duplicate-key') {
        // No `on conflict do nothing` here (and `insert ignore` would also swallow constraint
        // violations): the duplicate-key error of a plain insert is the answer; in a transaction
        // it rolls the transaction back, so the entry is never written.
        try {
          await withAudit(
            audit,
            (db) => db.insertInto(keys).values(values).execute(),
            () => true,
          );
          return true;
        } catch (error) {
          if (a.isUniqueViolation(error)) return false;
          throw error;
        }
      }
      const result = await withAudit(
        audit,
        (db) =>
          db
            .insertInto(keys)
            .values(values)
            .onConflict((oc) => oc.column('key_id').doNothing())
            .executeTakeFirst(),
        (r) => affected(r) === 1,
      );
      return affected(result) === 1;
    },

    async getKey(keyId, organizationId) {
      if (!canExist(keyId)) return null;
      if (organizationId !== undefined && !canExist(organizationId)) return null;
      const row = await ctx.runner.once(() => {
        let q = ctx.db.selectFrom(keys).selectAll().where('key_id', '=', keyId);
        if (organizationId !== undefined) q = q.where('organization_id', '=', organizationId);
        return q.executeTakeFirst();
      });
      return row === undefined ? null : toRecord(row);
    },

    async updateKey(keyId, expectedRevision, changes, options) {
      if (!canExist(keyId) || !Number.isSafeInteger(expectedRevision)) return false;
      const scope = options?.organizationId;
      if (scope !== undefined && !canExist(scope)) return false;
      checkText({
        secretHash: changes.secretHash,
        previousSecretHash: changes.previousSecretHash,
        name: changes.name,
        tier: changes.tier,
      });
      for (const scopeName of changes.scopes ?? []) checkText({ scopes: scopeName });
      const set = changeValues(changes);
      const result = await withAudit(
        options?.audit,
        (db) => {
          let q = db
            .updateTable(keys)
            .set((eb) => ({ ...set, revision: eb('revision', '+', 1) }))
            .where('key_id', '=', keyId)
            .where('revision', '=', expectedRevision);
          if (scope !== undefined) q = q.where('organization_id', '=', scope);
          return q.executeTakeFirst();
        },
        (r) => affected(r) === 1,
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

    async setKillSwitch(target, killed, at, options) {
      const name = switchTarget(target);
      checkText({ organizationId: name });
      const row = { target: name, killed: boolToDb(killed), updated_at: time(at) };
      await withAudit(
        options?.audit,
        (db) => {
          const insert = db.insertInto(switches).values(row);
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
        },
        () => true,
      );
    },

    async listAudit(query: ApiKeyAuditQuery) {
      const { keyId, organizationId, before } = query;
      if (keyId !== undefined && !canExist(keyId)) return [];
      if (organizationId !== undefined && !canExist(organizationId)) return [];
      if (before !== undefined) checkText({ before: before.id });
      const rows = await ctx.runner.once(() => {
        let q = ctx.db.selectFrom(audits).selectAll();
        if (keyId !== undefined) q = q.where('key_id', '=', keyId);
        if (organizationId !== undefined) q = q.where('organization_id', '=', organizationId);
        if (before !== undefined) {
          const at = time(before.at);
          q = q.where((eb) =>
            a.rowValues === false
              ? eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', before.id)])])
              : eb(eb.refTuple('at', 'id'), '<', eb.tuple(at, before.id)),
          );
        }
        return q.orderBy('at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
      });
      return rows.map(toEntry);
    },
  };
}
