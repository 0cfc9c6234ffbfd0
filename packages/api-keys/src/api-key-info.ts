import type { ApiKeyEnv } from './api-key-format.js';
import { type ApiKeyMetadata, copyMetadata } from './api-key-metadata.js';
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
  /** The rate-limit tier (`standard` unless minted with another); a rate limiter reads it. */
  readonly tier: string;
  /** `<prefix>_<env>_<key_id>`, safe to log. */
  readonly start: string;
  /** When the key stops working; a new `Date` on every read, so no caller can change another's. */
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
  /** The host's metadata (a copy: changing it changes nothing stored). */
  readonly metadata: ApiKeyMetadata;
  /** Bumped by every change; pass it as `expectedRevision` to `update` to change only this state. */
  readonly revision: number;
}

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

export function toVerifiedApiKey(record: ApiKeyRecord): VerifiedApiKey {
  const expiresAt = record.expiresAt;
  // One object answers every request of a cached key, so nothing in it may be mutable: a `Date`
  // is, even frozen (setTime), hence a getter that hands out a fresh one.
  return Object.freeze({
    keyId: record.keyId,
    organizationId: record.organizationId,
    env: record.env,
    name: record.name,
    scopes: Object.freeze([...record.scopes]),
    tier: record.tier,
    start: record.start,
    get expiresAt(): Date | null {
      return date(expiresAt);
    },
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
    metadata: copyMetadata(record.metadata),
    revision: record.revision,
  });
}
