import type { ApiKeyEnv } from './api-key-format.js';
import type { ApiKeyRecord } from './api-key-store.js';

/** A key's state as seen at one moment. */
export type ApiKeyStatus = 'active' | 'killed' | 'revoked' | 'expired';

/** What a verified request may know about its key. Nothing in it is secret. */
export interface VerifiedApiKey {
  readonly keyId: string;
  readonly organizationId: string;
  readonly env: ApiKeyEnv;
  readonly name: string;
  readonly scopes: readonly string[];
  /** `<prefix>_<env>_<key_id>`, safe to log. */
  readonly start: string;
  readonly expiresAt: Date | null;
}

/** A key as listed to its owner: everything but the hashes. */
export interface ApiKeyInfo extends VerifiedApiKey {
  readonly status: ApiKeyStatus;
  readonly killed: boolean;
  readonly createdAt: Date;
  readonly rotatedAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
  /** Until when the secret replaced by the last rotation still works, if it does. */
  readonly previousSecretValidUntil: Date | null;
}

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

export function toVerifiedApiKey(record: ApiKeyRecord): VerifiedApiKey {
  return Object.freeze({
    keyId: record.keyId,
    organizationId: record.organizationId,
    env: record.env,
    name: record.name,
    scopes: Object.freeze([...record.scopes]),
    start: record.start,
    expiresAt: date(record.expiresAt),
  });
}

export function statusOf(record: ApiKeyRecord, now: number): ApiKeyStatus {
  if (record.revokedAt !== null) return 'revoked';
  if (record.killed) return 'killed';
  if (record.expiresAt !== null && now >= record.expiresAt) return 'expired';
  return 'active';
}

export function toApiKeyInfo(record: ApiKeyRecord, now: number): ApiKeyInfo {
  const graceLive =
    record.previousSecretHash !== null &&
    record.previousSecretExpiresAt !== null &&
    now < record.previousSecretExpiresAt;
  return Object.freeze({
    ...toVerifiedApiKey(record),
    status: statusOf(record, now),
    killed: record.killed,
    createdAt: new Date(record.createdAt),
    rotatedAt: date(record.rotatedAt),
    revokedAt: date(record.revokedAt),
    lastUsedAt: date(record.lastUsedAt),
    previousSecretValidUntil: graceLive ? date(record.previousSecretExpiresAt) : null,
  });
}
