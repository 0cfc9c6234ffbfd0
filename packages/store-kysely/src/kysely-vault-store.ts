// The vault store's SQL, once for both dialects. Every write that depends on stored state is a
// check-and-set decided by the affected-row count (`update … where id = ? and version = ?`);
// the (entry_id, version) primary key of the versions table is the backstop against a duplicate
// version; writes touching both tables run in one write transaction (BEGIN IMMEDIATE on SQLite),
// retried as a whole on transient contention. The hot paths (reveal, put, rewrap) run queries
// compiled once per store; a reveal is one query joining the entry to its version.
//
// Owner conditions are part of each statement (`where id = ? and owner = ?`), never a read
// followed by a comparison. Names are unique per owner among live entries by the database's
// unique index (partial where the dialect has partial indexes, over the generated `live_name`
// column on MySQL): a refused insert or restore surfaces as NAME_TAKEN.
import { CofferError } from '@coffer/core';
import {
  type JsonObject,
  type VaultEntryChanges,
  type VaultEntryRecord,
  type VaultEntryWithVersion,
  type VaultListQuery,
  VaultNameTakenError,
  type VaultReplaceSealed,
  type VaultRewrapScan,
  type VaultRotateRecord,
  type VaultScope,
  type VaultStore,
  type VaultUpdateRecord,
  type VaultVersionRecord,
} from '@coffer/vault';
import { type Selectable, sql } from 'kysely';
import { atomicBlockQuery } from './atomic-block.js';
import { prepareQuery } from './prepared-query.js';
import { assertNulFree, assertWellFormed, canBeStored } from './storable-text.js';
import type { StoreContext } from './store-context.js';
import type { VaultDatabase, VaultEntriesTable, VaultVersionsTable } from './vault-tables.js';

type Ctx = StoreContext<VaultDatabase>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function affected(result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }): number {
  return Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0n);
}

/** An entry row as the store selects it (never the generated `live_name`). */
type EntryRow = Omit<Selectable<VaultEntriesTable>, 'live_name'>;

/** The columns of an entry joined to one of its versions (`v_*`; all null when there is none). */
interface JoinedRow extends EntryRow {
  v_version: number | null;
  v_kek_id: string | null;
  v_sealed: Uint8Array | null;
  v_created_at: VaultVersionsTable['created_at'] | null;
}

/** @internal Builds the {@link VaultStore} over a {@link StoreContext}. */
export function createKyselyVaultStoreFromContext(ctx: Ctx): VaultStore {
  const a = ctx.adapter;
  const entries = ctx.names.vaultEntries as 'vault_entries';
  const versions = ctx.names.vaultVersions as 'vault_versions';
  // On PostgreSQL ids are `uuid` columns: a string that is not a UUID cannot name a row, and
  // binding it would be a type error rather than "not found".
  const canExist = (id: string): boolean => !a.uuidIds || UUID.test(id);

  const toEntry = (row: EntryRow): VaultEntryRecord => ({
    id: row.id,
    owner: row.owner,
    kind: row.kind,
    label: row.label,
    name: row.name,
    status: row.status,
    metadata: a.jsonFromDb(row.metadata) as JsonObject,
    preview: row.preview,
    version: Number(row.version),
    revision: Number(row.revision),
    createdAt: a.timeFromDb(row.created_at),
    updatedAt: a.timeFromDb(row.updated_at),
    deletedAt: row.deleted_at === null ? null : a.timeFromDb(row.deleted_at),
  });
  const toVersion = (row: Selectable<VaultVersionsTable>): VaultVersionRecord => ({
    id: row.entry_id,
    version: Number(row.version),
    kekId: row.kek_id,
    sealed: a.bytesFromDb(row.sealed),
    createdAt: a.timeFromDb(row.created_at),
  });
  const bytes = (value: Uint8Array): Uint8Array =>
    a.bytesToDb === undefined ? value : (a.bytesToDb(value) as Uint8Array);
  const versionValues = (v: VaultVersionRecord): VaultVersionsTable => ({
    entry_id: v.id,
    version: v.version,
    kek_id: v.kekId,
    sealed: bytes(v.sealed),
    created_at: a.timeToDb(v.createdAt) as number,
  });

  const checkText = (entry: Partial<VaultEntryRecord>): void => {
    const fields = ['owner', 'kind', 'label', 'name', 'status', 'preview'] as const;
    for (const field of fields) {
      const value = entry[field] ?? null;
      assertWellFormed(value, field);
      if (a.nulFreeText) assertNulFree(value, field);
    }
  };
  // Whether an owner (or name) condition can match a stored row at all; when it cannot, the answer
  // is "nothing", without a query whose driver would bind U+FFFD for an unpaired surrogate and
  // match the rows of the owner spelled that way.
  const canMatch = (...texts: (string | undefined)[]): boolean =>
    texts.every((t) => t === undefined || canBeStored(t, a.nulFreeText));
  const entryValues = (entry: VaultEntryRecord): Omit<VaultEntriesTable, 'live_name'> => ({
    id: entry.id,
    owner: entry.owner,
    kind: entry.kind,
    label: entry.label,
    name: entry.name,
    status: entry.status,
    metadata: a.jsonToDb(entry.metadata) as string,
    preview: entry.preview,
    version: entry.version,
    revision: entry.revision,
    created_at: a.timeToDb(entry.createdAt) as number,
    updated_at: a.timeToDb(entry.updatedAt) as number,
    deleted_at: entry.deletedAt === null ? null : (a.timeToDb(entry.deletedAt) as number),
  });

  // The hot paths' queries, compiled once. Values are bound by name (`v(...)`); a marker stands in
  // for each while the query is built, so the builder's column types do not apply (`as never`).
  const entryColumns = [
    'id',
    'owner',
    'kind',
    'label',
    'name',
    'status',
    'metadata',
    'preview',
    'version',
    'revision',
    'created_at',
    'updated_at',
    'deleted_at',
  ] as const;
  const versionColumns = ['entry_id', 'version', 'kek_id', 'sealed', 'created_at'] as const;
  const entryMarkers = (v: (name: string) => string) =>
    Object.fromEntries(entryColumns.map((c) => [c, v(c)])) as never as VaultEntriesTable;
  const versionMarkers = (v: (name: string) => string) =>
    Object.fromEntries(versionColumns.map((c) => [c, v(`v_${c}`)])) as never as VaultVersionsTable;
  // The entry left-joined to its current version (`version` undefined) or to a given one. Columns
  // are named, never `*`: a prepared statement's result shape must not change when a later
  // migration adds a column.
  const joined = (version: string | undefined) =>
    ctx.db
      .selectFrom(`${entries} as e` as 'vault_entries as e')
      .leftJoin(`${versions} as v` as 'vault_versions as v', (j) => {
        const on = j.onRef('v.entry_id', '=', 'e.id');
        return version === undefined
          ? on.onRef('v.version', '=', 'e.version')
          : on.on('v.version', '=', version as never);
      })
      .select(entryColumns.map((c) => `e.${c}` as const))
      .select([
        'v.version as v_version',
        'v.kek_id as v_kek_id',
        'v.sealed as v_sealed',
        'v.created_at as v_created_at',
      ]);
  const joinedByName = (query: ReturnType<typeof joined>, owner: string, name: string) => {
    const byName = query
      .where('e.owner', '=', owner)
      .where(`e.${a.partialIndexes === false ? 'live_name' : 'name'}`, '=', name);
    return a.partialIndexes === false ? byName : byName.where('e.deleted_at', 'is', null);
  };
  const entryParams = (entry: VaultEntryRecord): Record<string, unknown> => ({
    ...entryValues(entry),
  });
  const versionParams = (row: VaultVersionRecord): Record<string, unknown> => {
    const values = versionValues(row);
    return {
      v_entry_id: values.entry_id,
      v_version: values.version,
      v_kek_id: values.kek_id,
      v_sealed: values.sealed,
      v_created_at: values.created_at,
    };
  };
  const versionNames = versionColumns.map((c) => `v_${c}`);
  const prepare = a.prepare?.bind(a);
  // The owner's live entry of one name: served by the unique index over live names.
  const liveNamed = a.partialIndexes === false ? 'live_name' : 'name';
  const q = {
    entry: prepareQuery(
      ['id'],
      (v) => ctx.db.selectFrom(entries).select(entryColumns).where('id', '=', v('id')),
      prepare,
    ),
    entryOwned: prepareQuery(
      ['id', 'owner'],
      (v) =>
        ctx.db
          .selectFrom(entries)
          .select(entryColumns)
          .where('id', '=', v('id'))
          .where('owner', '=', v('owner')),
      prepare,
    ),
    entryByName: prepareQuery(
      ['owner', 'name'],
      (v) => {
        const byName = ctx.db
          .selectFrom(entries)
          .select(entryColumns)
          .where('owner', '=', v('owner'))
          .where(liveNamed, '=', v('name'));
        return liveNamed === 'name' ? byName.where('deleted_at', 'is', null) : byName;
      },
      prepare,
    ),
    version: prepareQuery(
      ['id', 'version'],
      (v) =>
        ctx.db
          .selectFrom(versions)
          .select(versionColumns)
          .where('entry_id', '=', v('id'))
          .where('version', '=', v('version') as never),
      prepare,
    ),
    // The entry and its current version in one statement: one snapshot, so the version row the
    // entry names is there (a rotation inserts it in the same transaction that names it).
    current: prepareQuery<JoinedRow, 'id'>(
      ['id'],
      (v) => joined(undefined).where('e.id', '=', v('id')),
      prepare,
    ),
    withVersion: prepareQuery<JoinedRow, 'id' | 'version'>(
      ['id', 'version'],
      (v) => joined(v('version')).where('e.id', '=', v('id')),
      prepare,
    ),
    currentOwned: prepareQuery<JoinedRow, 'id' | 'owner'>(
      ['id', 'owner'],
      (v) => joined(undefined).where('e.id', '=', v('id')).where('e.owner', '=', v('owner')),
      prepare,
    ),
    withVersionOwned: prepareQuery<JoinedRow, 'id' | 'owner' | 'version'>(
      ['id', 'owner', 'version'],
      (v) => joined(v('version')).where('e.id', '=', v('id')).where('e.owner', '=', v('owner')),
      prepare,
    ),
    currentByName: prepareQuery<JoinedRow, 'owner' | 'name'>(
      ['owner', 'name'],
      (v) => joinedByName(joined(undefined), v('owner'), v('name')),
      prepare,
    ),
    withVersionByName: prepareQuery<JoinedRow, 'owner' | 'name' | 'version'>(
      ['owner', 'name', 'version'],
      (v) => joinedByName(joined(v('version')), v('owner'), v('name')),
      prepare,
    ),
    // Both rows in one statement (writable CTE): one round trip, atomic without a transaction.
    insertBoth: prepareQuery(
      [...entryColumns, ...versionNames],
      (v) =>
        ctx.db
          .with('e', (db) => db.insertInto(entries).values(entryMarkers(v)).returning('id'))
          .insertInto(versions)
          .values(versionMarkers(v)),
      prepare,
    ),
    // Both rows in one compound statement holding its own transaction (MariaDB; SQLite through
    // coffer's statement cache): one query.
    insertBlock: prepareQuery(
      [...entryColumns, ...versionNames],
      (v) =>
        atomicBlockQuery(a, [
          ctx.db.insertInto(entries).values(entryMarkers(v)),
          ctx.db.insertInto(versions).values(versionMarkers(v)),
        ]),
      prepare,
    ),
    insertEntry: prepareQuery<unknown, string>(
      [...entryColumns],
      (v) => ctx.db.insertInto(entries).values(entryMarkers(v)),
      prepare,
    ),
    insertVersion: prepareQuery(
      versionNames,
      (v) => ctx.db.insertInto(versions).values(versionMarkers(v)),
      prepare,
    ),
    replaceSealed: prepareQuery(
      ['id', 'version', 'expected', 'sealed', 'kek_id'],
      (v) =>
        ctx.db
          .updateTable(versions)
          .set({ sealed: v('sealed') as never, kek_id: v('kek_id') })
          .where('entry_id', '=', v('id'))
          .where('version', '=', v('version') as never)
          .where('sealed', '=', v('expected') as never),
      prepare,
    ),
  };

  // Both rows or neither. With writable CTEs (PostgreSQL) that is one statement, one round trip;
  // so is a compound statement where the dialect has one (MariaDB, SQLite's statement cache);
  // elsewhere one write transaction.
  async function insertBoth(entry: VaultEntryRecord, first: VaultVersionRecord): Promise<unknown> {
    const values = { ...entryParams(entry), ...versionParams(first) };
    if (a.writableCte) return ctx.runner.once(() => q.insertBoth.run(ctx.db, values));
    // Not on a Kysely `Transaction`: the block's own `start transaction` would commit the
    // caller's work on MariaDB. The transaction below refuses a put there, as rotate does.
    if (!ctx.db.isTransaction && (await ctx.runner.atomicBlocks())) {
      try {
        return await ctx.runner.once(() => q.insertBlock.run(ctx.db, values));
      } catch (error) {
        if (a.atomicBlock?.refused(error) !== true) throw error;
        ctx.runner.refuseAtomicBlocks(); // not parsed, so nothing ran: the transaction below
      }
    }
    return ctx.runner.transaction(ctx.db, async (trx) => {
      await q.insertEntry.run(trx, values);
      await q.insertVersion.run(trx, values);
    });
  }

  const toJoined = (row: JoinedRow): VaultEntryWithVersion => ({
    entry: toEntry(row),
    version:
      row.v_version === null || row.v_sealed === null || row.v_created_at === null
        ? undefined
        : toVersion({
            entry_id: row.id,
            version: row.v_version,
            kek_id: String(row.v_kek_id),
            sealed: row.v_sealed,
            created_at: row.v_created_at,
          }),
  });

  // Best effort after erasing sealed bytes (destroy, pruned versions, a rewrap batch): the change
  // is committed; a checkpoint that cannot finish now (a reader holds an old snapshot) is retried
  // by SQLite's automatic checkpoints.
  async function afterErase(): Promise<void> {
    if (a.afterDestroy !== undefined) await a.afterDestroy(ctx.db).catch(() => undefined);
  }

  // The check-and-set of a rotation: the UPDATE's row lock serializes concurrent rotations of one
  // id, and a loser re-evaluates `version = expected` against the winner's row and matches
  // nothing. Only a matched update inserts the new version row and prunes beyond `keepVersions`.
  async function rotateOnce(input: VaultRotateRecord): Promise<boolean> {
    const owner = input.owner;
    const cutoff = input.next.version - 1 - input.keepVersions;
    const set = {
      version: input.next.version,
      preview: input.preview,
      updated_at: a.timeToDb(input.next.createdAt) as number,
    };
    if (a.writableCte) {
      // One statement, so the row lock is held for one statement rather than several round
      // trips. The insert and the prune read `u`: they act only when the update matched.
      const next = versionValues(input.next);
      const rows = await ctx.runner.once(() =>
        ctx.db
          .with('u', (db) =>
            db
              .updateTable(entries)
              .set(set)
              .where('id', '=', input.id)
              .$if(owner !== undefined, (u) => u.where('owner', '=', owner ?? ''))
              .where('version', '=', input.expectedVersion)
              .where('deleted_at', 'is', null)
              .returning('id'),
          )
          .with('i', (db) =>
            db
              .insertInto(versions)
              .columns(['entry_id', 'version', 'kek_id', 'sealed', 'created_at'])
              .expression((eb) =>
                eb
                  .selectFrom('u')
                  .select([
                    'u.id as entry_id',
                    sql<number>`cast(${next.version} as integer)`.as('version'),
                    sql<string>`cast(${next.kek_id} as text)`.as('kek_id'),
                    sql<Uint8Array>`cast(${next.sealed} as bytea)`.as('sealed'),
                    sql<Date>`cast(${next.created_at} as timestamptz)`.as('created_at'),
                  ]),
              )
              .returning('entry_id'),
          )
          .with('d', (db) =>
            db
              .deleteFrom(versions)
              .where('entry_id', 'in', (eb) => eb.selectFrom('u').select('u.id'))
              .where('version', '<=', cutoff)
              .returning('entry_id'),
          )
          .selectFrom('i')
          .select('i.entry_id')
          .execute(),
      );
      return rows.length === 1;
    }
    return ctx.runner.transaction(ctx.db, async (trx) => {
      const updated = await trx
        .updateTable(entries)
        .set(set)
        .where('id', '=', input.id)
        .$if(owner !== undefined, (u) => u.where('owner', '=', owner ?? ''))
        .where('version', '=', input.expectedVersion)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (affected(updated) !== 1) return false;
      await trx.insertInto(versions).values(versionValues(input.next)).execute();
      await trx
        .deleteFrom(versions)
        .where('entry_id', '=', input.id)
        .where('version', '<=', cutoff)
        .execute();
      return true;
    });
  }

  async function rotate(input: VaultRotateRecord): Promise<boolean> {
    const won = await rotateOnce(input);
    // Only a rotation that pruned a version erased sealed bytes.
    if (won && input.next.version - 1 - input.keepVersions >= 1) await afterErase();
    return won;
  }

  // A query whose condition may name the owner: `owner = ?` joins the statement when given.
  const scoped = (scope: VaultScope | undefined): string | undefined => scope?.owner;

  async function updateEntry(input: VaultUpdateRecord): Promise<boolean> {
    const changes: VaultEntryChanges = input.changes;
    const set: { label?: string | null; status?: string | null; metadata?: string } = {};
    if (changes.label !== undefined) set.label = changes.label;
    if (changes.status !== undefined) set.status = changes.status;
    if (changes.metadata !== undefined) set.metadata = a.jsonToDb(changes.metadata) as string;
    if (Object.keys(set).length === 0) return false;
    checkText({ label: set.label ?? null, status: set.status ?? null });
    const { owner, expectedVersion } = input;
    // One statement: the row lock serializes concurrent updates, and a loser re-evaluates
    // `revision = ?` (and `version = ?`) against the winner's row and matches nothing.
    const result = await ctx.runner.once(() =>
      ctx.db
        .updateTable(entries)
        .set((eb) => ({ ...set, revision: eb('revision', '+', 1) }))
        .where('id', '=', input.id)
        .$if(owner !== undefined, (u) => u.where('owner', '=', owner ?? ''))
        .where('revision', '=', input.expectedRevision)
        .$if(expectedVersion !== undefined, (u) => u.where('version', '=', expectedVersion ?? 0))
        .where('deleted_at', 'is', null)
        .executeTakeFirst(),
    );
    return affected(result) === 1;
  }

  return {
    async insertEntry(entry, firstVersion) {
      checkText(entry);
      try {
        await insertBoth(entry, firstVersion);
      } catch (error) {
        if (a.isUniqueViolation(error)) {
          // Either unique index refused it: the primary key (an id that exists) or the live names
          // (a name taken). Which one is asked only on this failure path; nothing was written.
          if (entry.name !== null && entry.deletedAt === null) {
            const existing = await ctx.runner.once(() => q.entry.run(ctx.db, { id: entry.id }));
            if (existing.rows.length === 0) throw new VaultNameTakenError(entry.name);
          }
          throw new CofferError(
            'STORE_DUPLICATE_ID',
            'A vault entry with this id already exists; nothing was written. Vault ids are random UUIDv7s, so this points at a bug in the caller.',
            { status: 409, details: { id: entry.id }, cause: error },
          );
        }
        throw error;
      }
    },

    async getEntry(id, scope) {
      if (!canExist(id) || !canMatch(scope?.owner)) return undefined;
      const owner = scoped(scope);
      const { rows } = await ctx.runner.once(() =>
        owner === undefined ? q.entry.run(ctx.db, { id }) : q.entryOwned.run(ctx.db, { id, owner }),
      );
      const row = rows[0];
      return row === undefined ? undefined : toEntry(row);
    },

    async getEntryByName(owner, name) {
      if (!canMatch(owner, name)) return undefined;
      const { rows } = await ctx.runner.once(() => q.entryByName.run(ctx.db, { owner, name }));
      const row = rows[0];
      return row === undefined ? undefined : toEntry(row);
    },

    async getVersion(id, version, scope) {
      if (!canExist(id) || !Number.isSafeInteger(version) || !canMatch(scope?.owner)) {
        return undefined;
      }
      const owner = scoped(scope);
      if (owner === undefined) {
        const { rows } = await ctx.runner.once(() => q.version.run(ctx.db, { id, version }));
        const row = rows[0];
        return row === undefined ? undefined : toVersion(row);
      }
      // The version row only when its entry is the owner's: one statement joining the entry.
      const row = await ctx.runner.once(() =>
        ctx.db
          .selectFrom(`${versions} as v` as 'vault_versions as v')
          .innerJoin(`${entries} as e` as 'vault_entries as e', 'e.id', 'v.entry_id')
          .select(versionColumns.map((c) => `v.${c}` as const))
          .where('v.entry_id', '=', id)
          .where('v.version', '=', version)
          .where('e.owner', '=', owner)
          .executeTakeFirst(),
      );
      return row === undefined ? undefined : toVersion(row);
    },

    async getEntryWithVersion(id, version, scope) {
      if (!canExist(id) || !canMatch(scope?.owner)) return undefined;
      const owner = scoped(scope);
      if (version !== undefined && !Number.isSafeInteger(version)) {
        const entry = await this.getEntry(id, scope);
        return entry === undefined ? undefined : { entry, version: undefined };
      }
      const { rows } = await ctx.runner.once(() =>
        owner === undefined
          ? version === undefined
            ? q.current.run(ctx.db, { id })
            : q.withVersion.run(ctx.db, { id, version })
          : version === undefined
            ? q.currentOwned.run(ctx.db, { id, owner })
            : q.withVersionOwned.run(ctx.db, { id, owner, version }),
      );
      const row = rows[0];
      return row === undefined ? undefined : toJoined(row);
    },

    async getEntryWithVersionByName(owner, name, version) {
      if (!canMatch(owner, name)) return undefined;
      if (version !== undefined && !Number.isSafeInteger(version)) {
        const entry = await this.getEntryByName(owner, name);
        return entry === undefined ? undefined : { entry, version: undefined };
      }
      const { rows } = await ctx.runner.once(() =>
        version === undefined
          ? q.currentByName.run(ctx.db, { owner, name })
          : q.withVersionByName.run(ctx.db, { owner, name, version }),
      );
      const row = rows[0];
      return row === undefined ? undefined : toJoined(row);
    },

    async listVersions(id, scope) {
      if (!canExist(id) || !canMatch(scope?.owner)) return [];
      const owner = scoped(scope);
      const rows = await ctx.runner.once(() =>
        owner === undefined
          ? ctx.db
              .selectFrom(versions)
              .select(versionColumns)
              .where('entry_id', '=', id)
              .orderBy('version', 'desc')
              .execute()
          : ctx.db
              .selectFrom(`${versions} as v` as 'vault_versions as v')
              .innerJoin(`${entries} as e` as 'vault_entries as e', 'e.id', 'v.entry_id')
              .select(versionColumns.map((c) => `v.${c}` as const))
              .where('v.entry_id', '=', id)
              .where('e.owner', '=', owner)
              .orderBy('v.version', 'desc')
              .execute(),
      );
      return rows.map(toVersion);
    },

    async rotate(input: VaultRotateRecord) {
      if (!canExist(input.id) || !canMatch(input.owner)) return false;
      checkText({ preview: input.preview });
      return rotate(input);
    },

    async updateEntry(input) {
      if (!canExist(input.id) || !canMatch(input.owner)) return false;
      return updateEntry(input);
    },

    async listEntries(query: VaultListQuery) {
      if (!canMatch(query.owner, query.kind)) return [];
      if (query.after !== undefined && !canExist(query.after)) {
        // Every stored id is a UUID: compare as text would differ from uuid order, so refuse.
        return [];
      }
      const rows = await ctx.runner.once(() => {
        let q = ctx.db.selectFrom(entries).select(entryColumns).where('owner', '=', query.owner);
        if (query.kind !== undefined) q = q.where('kind', '=', query.kind);
        if (query.after !== undefined) q = q.where('id', '>', query.after);
        if (query.includeDeleted !== true) q = q.where('deleted_at', 'is', null);
        return q.orderBy('id', 'asc').limit(query.limit).execute();
      });
      return rows.map(toEntry);
    },

    async markDeleted(id, at, scope) {
      if (!canExist(id) || !canMatch(scope?.owner)) return false;
      const owner = scoped(scope);
      const result = await ctx.runner.once(() =>
        ctx.db
          .updateTable(entries)
          .set({ deleted_at: a.timeToDb(at) as number })
          .where('id', '=', id)
          .$if(owner !== undefined, (u) => u.where('owner', '=', owner ?? ''))
          .where('deleted_at', 'is', null)
          .executeTakeFirst(),
      );
      return affected(result) === 1;
    },

    async markRestored(id, scope) {
      if (!canExist(id) || !canMatch(scope?.owner)) return false;
      const owner = scoped(scope);
      try {
        const result = await ctx.runner.once(() =>
          ctx.db
            .updateTable(entries)
            .set({ deleted_at: null })
            .where('id', '=', id)
            .$if(owner !== undefined, (u) => u.where('owner', '=', owner ?? ''))
            .where('deleted_at', 'is not', null)
            .executeTakeFirst(),
        );
        return affected(result) === 1;
      } catch (error) {
        // The only unique index a restore can meet is the live names': the name was taken.
        if (a.isUniqueViolation(error)) throw new VaultNameTakenError();
        throw error;
      }
    },

    async destroyEntry(id, options = {}) {
      if (!canExist(id) || !canMatch(options.owner)) return false;
      const before = options.deletedBefore;
      const owner = options.owner;
      const destroyed = await ctx.runner.transaction(ctx.db, async (trx) => {
        let del = trx
          .deleteFrom(entries)
          .where('id', '=', id)
          .$if(owner !== undefined, (d) => d.where('owner', '=', owner ?? ''));
        if (before !== undefined) {
          del = del
            .where('deleted_at', 'is not', null)
            .where('deleted_at', '<', a.timeToDb(before) as number);
        }
        const removed = await del.executeTakeFirst();
        if (affected(removed) !== 1) return false;
        // The foreign key cascades too; delete explicitly so the guarantee does not depend on
        // SQLite's per-connection foreign_keys setting.
        await trx.deleteFrom(versions).where('entry_id', '=', id).execute();
        return true;
      });
      if (destroyed) await afterErase();
      return destroyed;
    },

    async scanExpired(before, limit) {
      const rows = await ctx.runner.once(() =>
        ctx.db
          .selectFrom(entries)
          .select(entryColumns)
          .where('deleted_at', 'is not', null)
          .where('deleted_at', '<', a.timeToDb(before) as number)
          .orderBy('id', 'asc')
          .limit(limit)
          .execute(),
      );
      return rows.map(toEntry);
    },

    async scanForRewrap(scan: VaultRewrapScan) {
      const after = scan.after;
      if (after !== undefined && !canExist(after.id)) return [];
      const rows = await ctx.runner.once(() => {
        // `kek_id <> ?` written as two ranges, so the planner may use the kek_id index when few
        // rows are off the primary KEK (e.g. when a rewrap resumes near its end).
        let q = ctx.db
          .selectFrom(versions)
          .selectAll()
          .where((eb) =>
            eb.or([eb('kek_id', '<', scan.notKekId), eb('kek_id', '>', scan.notKekId)]),
          );
        if (after !== undefined) {
          q = q.where((eb) =>
            a.rowValues === false
              ? eb.or([
                  eb('entry_id', '>', after.id),
                  eb.and([eb('entry_id', '=', after.id), eb('version', '>', after.version)]),
                ])
              : eb(eb.refTuple('entry_id', 'version'), '>', eb.tuple(after.id, after.version)),
          );
        }
        return q.orderBy('entry_id', 'asc').orderBy('version', 'asc').limit(scan.limit).execute();
      });
      return rows.map(toVersion);
    },

    async replaceSealed(input: VaultReplaceSealed) {
      if (!canExist(input.id) || !Number.isSafeInteger(input.version)) return false;
      const values = {
        id: input.id,
        version: input.version,
        expected: bytes(input.expectedSealed),
        sealed: bytes(input.sealed),
        kek_id: input.kekId,
      };
      const result = await ctx.runner.once(() => q.replaceSealed.run(ctx.db, values));
      return Number(result.numAffectedRows ?? 0n) === 1;
    },

    async listKekIds() {
      const rows = await ctx.runner.once(() =>
        ctx.db.selectFrom(versions).select('kek_id').distinct().execute(),
      );
      return rows.map((r) => r.kek_id);
    },

    async listVersionsByKek(kekId, limit) {
      // Served by the (kek_id, entry_id, version) index.
      const rows = await ctx.runner.once(() =>
        ctx.db
          .selectFrom(versions)
          .selectAll()
          .where('kek_id', '=', kekId)
          .orderBy('entry_id')
          .orderBy('version')
          .limit(limit)
          .execute(),
      );
      return rows.map(toVersion);
    },

    async afterRewrapBatch() {
      await afterErase();
    },
  };
}
