// The admin side of API keys: mint, rotate, revoke, update, kill switches, list, audit. Every
// state change goes through the store's check-and-set `updateKey` with its audit entry, so
// concurrent admins cannot lose each other's writes and every change that happened is recorded,
// and is announced through `onChange` so verifiers can drop cached state at once.
import { InvalidInputError, type Redacted, redact } from '@coffer/core';
import {
  type ApiKeyEnv,
  checkPrefix,
  DEFAULT_API_KEY_PREFIX,
  generateApiKey,
  isKeyId,
} from './api-key-format.js';
import { type ApiKeyInfo, toApiKeyInfo } from './api-key-info.js';
import { type ApiKeyMetadata, requireMetadata } from './api-key-metadata.js';
import type {
  ApiKeyAuditEntry,
  ApiKeyChanges,
  ApiKeyChangeType,
  ApiKeyRecord,
  ApiKeyStore,
  KillSwitchTarget,
} from './api-key-store.js';
import { requireTier, resolveTiers } from './api-key-tier.js';
import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor.js';
import { createAuditIdSource } from './audit-id.js';
import { type ApiKeyChangeOptions, type AuditNote, auditNoteOf } from './audit-note.js';
import { ApiKeyConflictError, ApiKeyNotFoundError, ApiKeyRevokedError } from './errors.js';
import type { ApiKeyHasher } from './hasher.js';
import type { OrganizationApiKeyManager } from './organization-api-key-manager.js';

/** The longest a rotated-away secret may keep working: a year (the `coffer` CLI's bound too). */
const MAX_GRACE_PERIOD_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * What changed, for invalidating verifier caches (pass it to `verifier.invalidate`), with who
 * changed it and why: the audit entry the store recorded with the change.
 */
export interface ApiKeyChange {
  readonly type: ApiKeyChangeType;
  readonly keyId?: string;
  readonly organizationId?: string;
  /** The id of the audit entry recorded with the change. */
  readonly auditId: string;
  /** When, in epoch milliseconds. */
  readonly at: number;
  /** Who (`unattributed` when the caller gave no actor). */
  readonly actor: string;
  readonly reason: string | null;
  readonly requestId: string | null;
}

/** Options of {@link createApiKeyManager}. */
export interface ApiKeyManagerOptions {
  store: ApiKeyStore;
  hasher: ApiKeyHasher;
  /** The key prefix (default `lp`). */
  prefix?: string;
  /** Milliseconds since the epoch (default `Date.now`). */
  clock?: () => number;
  /**
   * The rate-limit tiers keys may have (default `DEFAULT_API_KEY_TIERS`: `standard`, `pilot`,
   * `partner`). Must include `standard`, the tier of a key minted without one. Give the same names
   * your rate-limit policy knows.
   */
  tiers?: readonly string[];
  /**
   * Called after every state change, once it is stored. Wire it to `verifier.invalidate` (and to
   * your pub/sub for other processes) so changes apply at once instead of within the state TTL.
   * Errors it throws are ignored: the change is already stored.
   */
  onChange?: (change: ApiKeyChange) => void;
  /**
   * Refuse every change made without an `actor` (`INVALID_INPUT`) instead of recording it as
   * `unattributed`. Default false. Turn it on where every change comes from an authenticated admin.
   */
  requireActor?: boolean;
}

/** Input of {@link ApiKeyManager.mint}. */
export interface MintApiKeyInput {
  organizationId: string;
  env: ApiKeyEnv;
  /** A label for humans, e.g. `"billing sync (prod)"` (1–200 characters). */
  name: string;
  /** Scopes granted (default none), e.g. `['events:read']`. */
  scopes?: readonly string[];
  /** The rate-limit tier (default `standard`); one of the manager's `tiers`. */
  tier?: string;
  /** When the key stops working, in the future (minting refuses a past one); omit for no expiry. */
  expiresAt?: Date;
  /**
   * Your own JSON object kept with the key (at most 4 KiB serialized), e.g. the `vault_id` of the
   * partner's webhook signing secret. Not secret: never put key material in it.
   */
  metadata?: ApiKeyMetadata;
}

/** A freshly minted (or rotated) key: the only time the full key exists outside the client. */
export interface MintedApiKey {
  /** The full key, redacted in logs; `.expose()` it once to hand to the partner. Never stored. */
  readonly key: Redacted<string>;
  readonly keyId: string;
  /** `<prefix>_<env>_<key_id>`, for display. */
  readonly start: string;
  /** The hash that was stored. */
  readonly secretHash: string;
  readonly info: ApiKeyInfo;
}

/**
 * Input of {@link ApiKeyManager.importKey}: a key minted elsewhere, by its hash. `env` must be the
 * environment the key itself names (`lp_test_…` is `test`): the verifier refuses a key whose
 * environment differs from its record's. `expiresAt` may be in the past (an expired key, imported
 * for its history).
 */
export interface ImportApiKeyInput extends MintApiKeyInput {
  keyId: string;
  /** The hash your hasher's `verify` accepts for the key. */
  secretHash: string;
  /**
   * The key's display start (`<prefix>_<env>_<key_id>`) as the other system kept it, if it did:
   * checked against `env`, `keyId` and the manager's prefix, so a key filed under the wrong
   * environment is refused here rather than at its first request.
   */
  start?: string;
  createdAt?: Date;
}

/** What {@link ApiKeyManager.update} may change; absent fields are left as they are. */
export interface UpdateApiKeyInput {
  /** A new label (1–200 characters). */
  name?: string;
  /** The new scopes (replacing the old ones). */
  scopes?: readonly string[];
  /** The new rate-limit tier; one of the manager's `tiers`. */
  tier?: string;
  /** A new expiry (any valid `Date`; a past one expires the key now), or null for none. */
  expiresAt?: Date | null;
  /** The new metadata (replacing the old object; at most 4 KiB serialized). */
  metadata?: ApiKeyMetadata;
}

/** Options of {@link ApiKeyManager.update}. */
export interface UpdateApiKeyOptions extends ApiKeyChangeOptions {
  /**
   * Apply only if the key is still at this revision (`info.revision` of what you read);
   * otherwise `API_KEY_CONFLICT` and nothing changes. Omit to apply on top of whatever is current.
   */
  expectedRevision?: number;
}

/** One page of {@link ApiKeyManager.list}. */
export interface ApiKeyListPage {
  readonly keys: readonly ApiKeyInfo[];
  /** Pass as `after` for the next page; null on the last page. */
  readonly next: string | null;
}

/** Which audit entries {@link ApiKeyManager.audit} lists. */
export interface ApiKeyAuditListOptions {
  /** Only this key's entries. */
  keyId?: string;
  /** Only this organization's entries (its keys' and its switch's). */
  organizationId?: string;
  /** At most this many (1–1000, default 100). */
  limit?: number;
  /** The `next` cursor of the previous page. */
  after?: string;
}

/** One page of the audit trail, newest first. */
export interface ApiKeyAuditPage {
  readonly entries: readonly ApiKeyAuditEntry[];
  /** Pass as `after` for the next (older) page; null on the last page. */
  readonly next: string | null;
}

/** Manages API keys; see {@link createApiKeyManager}. */
export interface ApiKeyManager {
  /**
   * Mints a key: returns the full key once (redacted) with its id and display start; stores only
   * the hash, and the audit entry (`minted`) with it.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed input (organization, env, name,
   *   scopes, a tier the manager does not know, an expiry that is not a valid future `Date`,
   *   metadata that is not a JSON object within 4 KiB) or a malformed actor, reason or request id.
   */
  mint(input: MintApiKeyInput, options?: ApiKeyChangeOptions): Promise<MintedApiKey>;
  /**
   * Stores a key minted elsewhere, by its hash (migrating from another system); audited as `imported`.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed input, a `start` that disagrees
   *   with `env`, `keyId` or the prefix, or a key id already in use.
   */
  importKey(input: ImportApiKeyInput, options?: ApiKeyChangeOptions): Promise<ApiKeyInfo>;
  /**
   * Gives the key a new secret under the same `key_id`. The old secret keeps working for
   * `gracePeriodMs` (default 0: it stops at once; at most a year, so a rotation never keeps an old
   * secret working indefinitely or past the last valid date).
   * @throws {ApiKeyNotFoundError} `NOT_FOUND`. @throws {ApiKeyRevokedError} `KEY_REVOKED`.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed key id, grace period, actor, reason
   *   or request id.
   * @throws {ApiKeyConflictError} `API_KEY_CONFLICT` when concurrent changes keep winning.
   */
  rotate(
    keyId: string,
    options?: { gracePeriodMs?: number } & ApiKeyChangeOptions,
  ): Promise<MintedApiKey>;
  /**
   * Revokes the key, permanently (the record is kept). Idempotent: revoking a revoked key changes
   * and records nothing.
   * @throws {ApiKeyNotFoundError} `NOT_FOUND`. @throws {InvalidInputError} `INVALID_INPUT` for a
   *   malformed key id, actor, reason or request id. @throws {ApiKeyConflictError} `API_KEY_CONFLICT`.
   */
  revoke(keyId: string, options?: ApiKeyChangeOptions): Promise<ApiKeyInfo>;
  /**
   * Turns the key's kill switch on: `503 KILL_SWITCH` until `unkill`. A killed key is left as it
   * is (nothing recorded).
   * @throws {ApiKeyNotFoundError} `NOT_FOUND`. @throws {ApiKeyRevokedError} `KEY_REVOKED`.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed key id, actor, reason or request id.
   */
  kill(keyId: string, options?: ApiKeyChangeOptions): Promise<ApiKeyInfo>;
  /**
   * Turns the key's kill switch off.
   * @throws {ApiKeyNotFoundError} `NOT_FOUND`. @throws {ApiKeyRevokedError} `KEY_REVOKED`.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed key id, actor, reason or request id.
   */
  unkill(keyId: string, options?: ApiKeyChangeOptions): Promise<ApiKeyInfo>;
  /**
   * Changes a key's name, scopes, tier, expiry or metadata, with the same check-and-set and audit
   * (`updated`) as every other change. Returns the key as updated (`revision` one higher).
   * @throws {ApiKeyNotFoundError} `NOT_FOUND`. @throws {ApiKeyRevokedError} `KEY_REVOKED`.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed key id, an empty or malformed
   *   change, or a malformed actor, reason or request id.
   * @throws {ApiKeyConflictError} `API_KEY_CONFLICT` when `expectedRevision` is not the key's
   *   revision, or concurrent changes keep winning.
   */
  update(
    keyId: string,
    changes: UpdateApiKeyInput,
    options?: UpdateApiKeyOptions,
  ): Promise<ApiKeyInfo>;
  /**
   * Turns the organization's kill switch on or off (every key of it); always recorded.
   * @throws {InvalidInputError} `INVALID_INPUT` for an organization id that is not 1–200
   *   characters, or a malformed actor, reason or request id.
   */
  setOrganizationKillSwitch(
    organizationId: string,
    killed: boolean,
    options?: ApiKeyChangeOptions,
  ): Promise<void>;
  /**
   * Turns the global kill switch on or off (every key); always recorded.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed actor, reason or request id.
   */
  setGlobalKillSwitch(killed: boolean, options?: ApiKeyChangeOptions): Promise<void>;
  /**
   * Whether the organization's (or, with no argument, the global) kill switch is on.
   * @throws {InvalidInputError} `INVALID_INPUT` for an organization id that is not 1–200 characters.
   */
  isKillSwitchOn(organizationId?: string): Promise<boolean>;
  /**
   * One key, without its hashes.
   * @throws {ApiKeyNotFoundError} `NOT_FOUND`. @throws {InvalidInputError} `INVALID_INPUT` for a
   *   malformed key id.
   */
  get(keyId: string): Promise<ApiKeyInfo>;
  /**
   * An organization's keys (revoked included) in `keyId` order, `limit` (default 100, max 1000) at a time.
   * @throws {InvalidInputError} `INVALID_INPUT` for a bad organization id, `limit` or `after`.
   */
  list(
    organizationId: string,
    options?: { limit?: number; after?: string },
  ): Promise<ApiKeyListPage>;
  /**
   * The audit trail, newest first: a key's, an organization's (its keys' and its switch's), or
   * everything (the global switch included) with neither.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed key id, organization id, `limit`
   *   or `after` cursor.
   */
  audit(options?: ApiKeyAuditListOptions): Promise<ApiKeyAuditPage>;
  /**
   * The manager of one organization's keys: every by-id call checks the organization in the store
   * query itself, and answers another organization's key exactly as a missing one.
   * @throws {InvalidInputError} `INVALID_INPUT` for an organization id that is not 1–200 characters.
   */
  forOrganization(organizationId: string): OrganizationApiKeyManager;
}

const MAX_ATTEMPTS = 8;

function requireText(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new InvalidInputError(`${name} must be a string of 1-${max} characters`, {
      details: { parameter: name },
    });
  }
  return value;
}

function requireKeyId(keyId: unknown): string {
  if (!isKeyId(keyId)) {
    throw new InvalidInputError('keyId must be 16 Crockford base32 characters (uppercase)', {
      details: { parameter: 'keyId' },
    });
  }
  return keyId;
}

const SCOPE = /^[A-Za-z0-9][A-Za-z0-9:._+*-]{0,99}$/;

function requireScopes(scopes: unknown): string[] {
  if (scopes === undefined) return [];
  if (!Array.isArray(scopes) || scopes.length > 100) {
    throw new InvalidInputError('scopes must be an array of at most 100 scope strings', {
      details: { parameter: 'scopes' },
    });
  }
  const out: string[] = [];
  for (const scope of scopes as unknown[]) {
    if (typeof scope !== 'string' || !SCOPE.test(scope)) {
      throw new InvalidInputError(
        'each scope must be 1-100 characters of letters, digits and : . _ + * -, e.g. "events:read"',
        { details: { parameter: 'scopes' } },
      );
    }
    if (!out.includes(scope)) out.push(scope);
  }
  return out;
}

function requireEnv(env: unknown): ApiKeyEnv {
  if (env !== 'live' && env !== 'test') {
    throw new InvalidInputError('env must be "live" or "test"', { details: { parameter: 'env' } });
  }
  return env;
}

function optionalTime(value: unknown, name: string): number | null {
  if (value === undefined) return null;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new InvalidInputError(`${name} must be a valid Date`, { details: { parameter: name } });
  }
  return value.getTime();
}

function requireLimit(value: unknown): number {
  const limit = value ?? 100;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1 || limit > 1000) {
    throw new InvalidInputError('limit must be an integer from 1 to 1000', {
      details: { parameter: 'limit' },
    });
  }
  return limit;
}

/**
 * Creates the admin side of API keys. Minting returns the full key exactly once, as `Redacted`;
 * only its hash is stored, so a lost key cannot be recovered, only rotated. Records are never
 * deleted: revocation is a permanent flag. Every change is recorded in the store's audit trail
 * together with the change itself (who: `actor`, why: `reason`, the `requestId`), and announced to
 * `onChange` once stored. Hand tenants `forOrganization(id)`, never the manager itself.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` for a malformed prefix or `tiers`.
 * @example
 * ```ts
 * import { createApiKeyManager, createBcryptHasher, createMemoryApiKeyStore } from '@coffer/api-keys';
 *
 * const hasher = createBcryptHasher({ cost: 4 }); // tests only; the default is 12
 * const manager = createApiKeyManager({ store: createMemoryApiKeyStore(), hasher });
 * const minted = await manager.mint({ organizationId: 'org_1', env: 'live', name: 'acme', scopes: ['events:read'] });
 * minted.start; // e.g. 'lp_live_01HX9Y6K7EJ4T2AB'
 * String(minted.key); // '[REDACTED]'
 * minted.info.tier; // 'standard' (mint with `tier: 'partner'` for another rate-limit tier)
 * await manager.kill(minted.keyId, { actor: 'ops@example.com', reason: 'INC-42' }); // now 503 KILL_SWITCH
 * await manager.revoke(minted.keyId, { actor: 'ops@example.com' }); // and now 401 REVOKED, for good
 * (await manager.audit({ keyId: minted.keyId })).entries.map((e) => e.type); // ['revoked', 'killed', 'minted']
 * await hasher.close();
 * ```
 */
export function createApiKeyManager(options: ApiKeyManagerOptions): ApiKeyManager {
  const { store, hasher } = options;
  const prefix = checkPrefix(options.prefix ?? DEFAULT_API_KEY_PREFIX);
  const clock = options.clock ?? Date.now;
  const tiers = resolveTiers(options.tiers);
  const requireActor = options.requireActor === true;
  const nextAuditId = createAuditIdSource();
  const noteOf = (changeOptions: ApiKeyChangeOptions | undefined): AuditNote =>
    auditNoteOf(changeOptions, requireActor);

  function entryOf(
    type: ApiKeyChangeType,
    keyId: string | null,
    organizationId: string | null,
    note: AuditNote,
  ): ApiKeyAuditEntry {
    const at = clock();
    return { id: nextAuditId(at), at, type, keyId, organizationId, ...note };
  }

  const announce = (entry: ApiKeyAuditEntry): void => {
    const change: ApiKeyChange = {
      type: entry.type,
      ...(entry.keyId === null ? {} : { keyId: entry.keyId }),
      ...(entry.organizationId === null ? {} : { organizationId: entry.organizationId }),
      auditId: entry.id,
      at: entry.at,
      actor: entry.actor,
      reason: entry.reason,
      requestId: entry.requestId,
    };
    try {
      options.onChange?.(change);
    } catch {
      // The change is stored; a failing listener must not turn it into an error.
    }
  };

  /** The key, or NOT_FOUND; within `scope`, another organization's key is not found either. */
  async function load(keyId: string, scope: string | undefined): Promise<ApiKeyRecord> {
    const id = requireKeyId(keyId);
    const record = await (scope === undefined ? store.getKey(id) : store.getKey(id, scope));
    if (record === null) throw new ApiKeyNotFoundError(id);
    return record;
  }

  /**
   * Check-and-set loop: re-reads and retries when another writer got there first, unless the
   * caller pinned the revision it read (then a conflict is the answer).
   */
  async function change(
    scope: string | undefined,
    keyId: string,
    type: ApiKeyChangeType,
    note: AuditNote,
    decide: (record: ApiKeyRecord) => ApiKeyChanges | null | Promise<ApiKeyChanges | null>,
    expectedRevision?: number,
  ): Promise<ApiKeyRecord> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const record = await load(keyId, scope);
      if (expectedRevision !== undefined && record.revision !== expectedRevision) {
        throw new ApiKeyConflictError(record.keyId);
      }
      const changes = await decide(record);
      if (changes === null) return record;
      const entry = entryOf(type, record.keyId, record.organizationId, note);
      const written = await store.updateKey(
        record.keyId,
        record.revision,
        changes,
        scope === undefined ? { audit: entry } : { audit: entry, organizationId: scope },
      );
      if (written) {
        announce(entry);
        return { ...record, ...changes, revision: record.revision + 1 };
      }
      if (expectedRevision !== undefined) throw new ApiKeyConflictError(record.keyId);
    }
    throw new ApiKeyConflictError(keyId);
  }

  function notRevoked(record: ApiKeyRecord): void {
    if (record.revokedAt !== null) throw new ApiKeyRevokedError(record.keyId);
  }

  function minted(key: string, record: ApiKeyRecord): MintedApiKey {
    return {
      key: redact(key),
      keyId: record.keyId,
      start: record.start,
      secretHash: record.secretHash,
      info: toApiKeyInfo(record, clock()),
    };
  }

  async function insert(
    input: MintApiKeyInput,
    note: AuditNote,
    type: 'minted' | 'imported',
    make: () => Promise<{ keyId: string; start: string; secretHash: string; key: string | null }>,
    createdAt: number,
  ): Promise<{ record: ApiKeyRecord; key: string | null }> {
    const organizationId = requireText(input.organizationId, 'organizationId', 200);
    const env = requireEnv(input.env);
    const name = requireText(input.name, 'name', 200);
    const scopes = requireScopes(input.scopes);
    const tier = requireTier(input.tier, tiers);
    const expiresAt = optionalTime(input.expiresAt, 'expiresAt');
    const metadata = input.metadata === undefined ? {} : requireMetadata(input.metadata);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const made = await make();
      const record: ApiKeyRecord = {
        keyId: made.keyId,
        organizationId,
        env,
        name,
        scopes,
        tier,
        start: made.start,
        secretHash: made.secretHash,
        previousSecretHash: null,
        previousSecretExpiresAt: null,
        createdAt,
        expiresAt,
        rotatedAt: null,
        revokedAt: null,
        killed: false,
        lastUsedAt: null,
        revision: 1,
        metadata,
      };
      const entry = entryOf(type, record.keyId, organizationId, note);
      if (await store.insertKey(record, { audit: entry })) {
        announce(entry);
        return { record, key: made.key };
      }
      // 80 random bits make a collision practically impossible; an imported id may still clash.
      if (made.key === null) break;
    }
    throw new InvalidInputError('that key id is already in use', {
      details: { parameter: 'keyId' },
    });
  }

  async function mintIn(
    input: MintApiKeyInput,
    changeOptions: ApiKeyChangeOptions | undefined,
  ): Promise<MintedApiKey> {
    requireEnv(input?.env);
    const note = noteOf(changeOptions);
    const expiresAt = optionalTime(input.expiresAt, 'expiresAt');
    if (expiresAt !== null && expiresAt <= clock()) {
      throw new InvalidInputError(
        'expiresAt is not in the future: the key would be expired when minted. Pass a later Date, or omit it for no expiry.',
        { details: { parameter: 'expiresAt' } },
      );
    }
    const { record, key } = await insert(
      input,
      note,
      'minted',
      async () => {
        const generated = generateApiKey(prefix, input.env);
        const secretHash = await hasher.hash(generated.key);
        return { ...generated, secretHash };
      },
      clock(),
    );
    return minted(key ?? '', record);
  }

  async function rotateIn(
    scope: string | undefined,
    keyId: string,
    rotateOptions: ({ gracePeriodMs?: number } & ApiKeyChangeOptions) | undefined,
  ): Promise<MintedApiKey> {
    const grace = rotateOptions?.gracePeriodMs ?? 0;
    if (!Number.isSafeInteger(grace) || grace < 0 || grace > MAX_GRACE_PERIOD_MS) {
      throw new InvalidInputError(
        `gracePeriodMs must be a whole number of milliseconds from 0 to ${MAX_GRACE_PERIOD_MS} (a year); for a longer cut-over, mint a second key and revoke the first`,
        { details: { parameter: 'gracePeriodMs', max: MAX_GRACE_PERIOD_MS } },
      );
    }
    const note = noteOf(rotateOptions);
    let fresh = '';
    const record = await change(scope, keyId, 'rotated', note, async (current) => {
      notRevoked(current);
      const generated = generateApiKey(prefix, current.env, current.keyId);
      fresh = generated.key;
      const now = clock();
      return {
        secretHash: await hasher.hash(generated.key),
        previousSecretHash: grace > 0 ? current.secretHash : null,
        previousSecretExpiresAt: grace > 0 ? now + grace : null,
        rotatedAt: now,
      };
    });
    return minted(fresh, record);
  }

  async function revokeIn(
    scope: string | undefined,
    keyId: string,
    changeOptions: ApiKeyChangeOptions | undefined,
  ): Promise<ApiKeyInfo> {
    const note = noteOf(changeOptions);
    const record = await change(scope, keyId, 'revoked', note, (current) =>
      current.revokedAt !== null
        ? null
        : { revokedAt: clock(), previousSecretHash: null, previousSecretExpiresAt: null },
    );
    return toApiKeyInfo(record, clock());
  }

  async function killIn(
    scope: string | undefined,
    keyId: string,
    killed: boolean,
    changeOptions: ApiKeyChangeOptions | undefined,
  ): Promise<ApiKeyInfo> {
    const note = noteOf(changeOptions);
    const record = await change(scope, keyId, killed ? 'killed' : 'unkilled', note, (current) => {
      notRevoked(current);
      return current.killed === killed ? null : { killed };
    });
    return toApiKeyInfo(record, clock());
  }

  async function updateIn(
    scope: string | undefined,
    keyId: string,
    input: UpdateApiKeyInput,
    updateOptions: UpdateApiKeyOptions | undefined,
  ): Promise<ApiKeyInfo> {
    requireKeyId(keyId);
    if (typeof input !== 'object' || input === null) {
      throw new InvalidInputError('changes must be an object', {
        details: { parameter: 'changes' },
      });
    }
    const changes: {
      -readonly [K in keyof ApiKeyChanges]: ApiKeyChanges[K];
    } = {};
    if (input.name !== undefined) changes.name = requireText(input.name, 'name', 200);
    if (input.scopes !== undefined) changes.scopes = requireScopes(input.scopes);
    if (input.tier !== undefined) changes.tier = requireTier(input.tier, tiers);
    if (input.expiresAt !== undefined) {
      changes.expiresAt =
        input.expiresAt === null ? null : optionalTime(input.expiresAt, 'expiresAt');
    }
    if (input.metadata !== undefined) changes.metadata = requireMetadata(input.metadata);
    if (Object.keys(changes).length === 0) {
      throw new InvalidInputError(
        'changes is empty: give at least one of name, scopes, tier, expiresAt, metadata',
        { details: { parameter: 'changes' } },
      );
    }
    const expected = updateOptions?.expectedRevision;
    if (expected !== undefined && (!Number.isSafeInteger(expected) || expected < 1)) {
      throw new InvalidInputError('expectedRevision must be a positive integer (info.revision)', {
        details: { parameter: 'expectedRevision' },
      });
    }
    const note = noteOf(updateOptions);
    const record = await change(
      scope,
      keyId,
      'updated',
      note,
      (current) => {
        notRevoked(current);
        return changes;
      },
      expected,
    );
    return toApiKeyInfo(record, clock());
  }

  async function setSwitch(
    target: KillSwitchTarget,
    killed: boolean,
    changeOptions: ApiKeyChangeOptions | undefined,
  ): Promise<void> {
    const note = noteOf(changeOptions);
    const on = killed === true;
    const entry =
      target.scope === 'global'
        ? entryOf(on ? 'global-killed' : 'global-unkilled', null, null, note)
        : entryOf(
            on ? 'organization-killed' : 'organization-unkilled',
            null,
            target.organizationId,
            note,
          );
    await store.setKillSwitch(target, on, entry.at, { audit: entry });
    announce(entry);
  }

  async function listIn(
    organizationId: string,
    listOptions: { limit?: number; after?: string } | undefined,
  ): Promise<ApiKeyListPage> {
    const limit = requireLimit(listOptions?.limit);
    const after = listOptions?.after === undefined ? undefined : requireKeyId(listOptions.after);
    const records = await store.listKeys(
      after === undefined
        ? { organizationId, limit }
        : { organizationId, limit, afterKeyId: after },
    );
    const now = clock();
    const last = records[records.length - 1];
    return {
      keys: records.map((r) => toApiKeyInfo(r, now)),
      next: records.length === limit && last !== undefined ? last.keyId : null,
    };
  }

  async function auditIn(
    keyId: string | undefined,
    organizationId: string | undefined,
    auditOptions: { limit?: number; after?: string } | undefined,
  ): Promise<ApiKeyAuditPage> {
    const limit = requireLimit(auditOptions?.limit);
    const before =
      auditOptions?.after === undefined ? undefined : decodeAuditCursor(auditOptions.after);
    const entries = await store.listAudit({
      limit,
      ...(keyId === undefined ? {} : { keyId }),
      ...(organizationId === undefined ? {} : { organizationId }),
      ...(before === undefined ? {} : { before }),
    });
    const last = entries[entries.length - 1];
    return {
      entries,
      next: entries.length === limit && last !== undefined ? encodeAuditCursor(last) : null,
    };
  }

  function forOrganization(organizationId: string): OrganizationApiKeyManager {
    const org = requireText(organizationId, 'organizationId', 200);
    return {
      organizationId: org,
      mint: (input, changeOptions) =>
        mintIn({ ...(input as MintApiKeyInput), organizationId: org }, changeOptions),
      rotate: (keyId, rotateOptions) => rotateIn(org, keyId, rotateOptions),
      revoke: (keyId, changeOptions) => revokeIn(org, keyId, changeOptions),
      kill: (keyId, changeOptions) => killIn(org, keyId, true, changeOptions),
      unkill: (keyId, changeOptions) => killIn(org, keyId, false, changeOptions),
      update: (keyId, changes, updateOptions) => updateIn(org, keyId, changes, updateOptions),
      get: async (keyId) => toApiKeyInfo(await load(keyId, org), clock()),
      list: (listOptions) => listIn(org, listOptions),
      audit: (auditOptions) =>
        auditIn(
          auditOptions?.keyId === undefined ? undefined : requireKeyId(auditOptions.keyId),
          org,
          auditOptions,
        ),
      setKillSwitch: (killed, changeOptions) =>
        setSwitch({ scope: 'organization', organizationId: org }, killed, changeOptions),
      isKillSwitchOn: () => store.getKillSwitch({ scope: 'organization', organizationId: org }),
    };
  }

  return {
    mint: (input, changeOptions) => mintIn(input, changeOptions),

    async importKey(input, changeOptions) {
      const keyId = requireKeyId(input?.keyId);
      const env = requireEnv(input.env);
      const secretHash = requireText(input.secretHash, 'secretHash', 1000);
      const start = `${prefix}_${env}_${keyId}`;
      if (input.start !== undefined && input.start !== start) {
        // The given value is not echoed (a careless caller may pass the whole key); the expected
        // start is public.
        throw new InvalidInputError(
          `start does not match env and keyId (expected ${start}); import the key under the environment it names.`,
          { details: { parameter: 'start' } },
        );
      }
      const note = noteOf(changeOptions);
      const createdAt = optionalTime(input.createdAt, 'createdAt') ?? clock();
      const { record } = await insert(
        input,
        note,
        'imported',
        async () => ({ keyId, start, secretHash, key: null }),
        createdAt,
      );
      return toApiKeyInfo(record, clock());
    },

    rotate: (keyId, rotateOptions) => rotateIn(undefined, keyId, rotateOptions),
    revoke: (keyId, changeOptions) => revokeIn(undefined, keyId, changeOptions),
    kill: (keyId, changeOptions) => killIn(undefined, keyId, true, changeOptions),
    unkill: (keyId, changeOptions) => killIn(undefined, keyId, false, changeOptions),
    update: (keyId, changes, updateOptions) => updateIn(undefined, keyId, changes, updateOptions),

    async setOrganizationKillSwitch(organizationId, killed, changeOptions) {
      const id = requireText(organizationId, 'organizationId', 200);
      await setSwitch({ scope: 'organization', organizationId: id }, killed, changeOptions);
    },

    setGlobalKillSwitch: (killed, changeOptions) =>
      setSwitch({ scope: 'global' }, killed, changeOptions),

    async isKillSwitchOn(organizationId) {
      if (organizationId === undefined) return store.getKillSwitch({ scope: 'global' });
      const id = requireText(organizationId, 'organizationId', 200);
      return store.getKillSwitch({ scope: 'organization', organizationId: id });
    },

    async get(keyId) {
      return toApiKeyInfo(await load(keyId, undefined), clock());
    },

    async list(organizationId, listOptions) {
      return listIn(requireText(organizationId, 'organizationId', 200), listOptions);
    },

    async audit(auditOptions) {
      return auditIn(
        auditOptions?.keyId === undefined ? undefined : requireKeyId(auditOptions.keyId),
        auditOptions?.organizationId === undefined
          ? undefined
          : requireText(auditOptions.organizationId, 'organizationId', 200),
        auditOptions,
      );
    },

    forOrganization,
  };
}
