// The Kysely view of the vault tables. Table keys are logical; the real (prefixed) names are
// substituted at run time from `CofferTableNames`. Column value types are what either driver
// binds and returns; the dialect adapter converts.

/** @internal A time as bound or returned: `Date` (PostgreSQL timestamptz) or epoch ms (SQLite). */
export type DbTime = Date | number | string;
/** @internal JSON as bound (text) or returned (parsed jsonb on PostgreSQL, text on SQLite). */
export type DbJson = string | Record<string, unknown>;

/** @internal */
export interface VaultEntriesTable {
  id: string;
  owner: string;
  kind: string;
  label: string | null;
  metadata: DbJson;
  preview: string;
  version: number;
  created_at: DbTime;
  updated_at: DbTime;
  deleted_at: DbTime | null;
}

/** @internal */
export interface VaultVersionsTable {
  entry_id: string;
  version: number;
  kek_id: string;
  sealed: Uint8Array;
  created_at: DbTime;
}

/** @internal */
export interface VaultDatabase {
  vault_entries: VaultEntriesTable;
  vault_versions: VaultVersionsTable;
}
