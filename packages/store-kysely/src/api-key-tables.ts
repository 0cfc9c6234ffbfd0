// The Kysely view of the API key tables. Table keys are logical; the real (prefixed) names are
// substituted at run time from `CofferTableNames`. Column value types are what either driver
// binds and returns; the dialect adapter converts.
import type { DbJson, DbTime } from './vault-tables.js';

/**
 * @internal A boolean as bound or returned: `boolean` (PostgreSQL) or 0/1 (SQLite STRICT
 * integer).
 */
export type DbBool = boolean | number;

/** @internal */
export interface ApiKeysTable {
  key_id: string;
  organization_id: string;
  env: string;
  name: string;
  scopes: DbJson | string[];
  /** Added by migration 003 (`not null default 'standard'`). */
  tier: string;
  start: string;
  secret_hash: string;
  previous_secret_hash: string | null;
  previous_secret_expires_at: DbTime | null;
  created_at: DbTime;
  expires_at: DbTime | null;
  rotated_at: DbTime | null;
  revoked_at: DbTime | null;
  killed: DbBool;
  last_used_at: DbTime | null;
  revision: number | string | bigint;
  /** Added by migration 005 (`not null default '{}'`): the key's JSON object. */
  metadata: DbJson | string;
}

/** @internal The audit trail of key administration (migration 005). */
export interface ApiKeyAuditTable {
  id: string;
  at: DbTime;
  type: string;
  key_id: string | null;
  organization_id: string | null;
  actor: string;
  reason: string | null;
  request_id: string | null;
}

/** @internal */
export interface KillSwitchesTable {
  target: string;
  killed: DbBool;
  updated_at: DbTime;
}

/** @internal */
export interface ApiKeyDatabase {
  api_key: ApiKeysTable;
  kill_switch: KillSwitchesTable;
  api_key_audit: ApiKeyAuditTable;
}
