// The admin side of API keys: mint, rotate, revoke, kill switches, list. Every state change goes
// through the store's check-and-set `updateKey`, so concurrent admins cannot lose each other's
// writes, and is announced through `onChange` so verifiers can drop cached state at once.
import { InvalidInputError, type Redacted, redact } from '@coffer/core';
import {
  type ApiKeyEnv,
  checkPrefix,
  DEFAULT_API_KEY_PREFIX,
  generateApiKey,
  isKeyId,
} from './api-key-format.js';
import { type ApiKeyInfo, toApiKeyInfo } from './api-key-info.js';
import type {
  ApiKeyChanges,
  ApiKeyRecord,
  ApiKeyStore,
  KillSwitchTarget,
} from './api-key-store.js';
import { requireTier, resolveTiers } from './api-key-tier.js';
import { ApiKeyConflictError, ApiKeyNotFoundError, ApiKeyRevokedError } from './errors.js';
import type { ApiKeyHasher } from './hasher.js';

/** What changed, for invalidating verifier caches (pass it to `verifier.invalidate`). */
export interface ApiKeyChange {
  readonly type:
    | 'rotated'
    | 'revoked'
    | 'killed'
    | 'unkilled'
    | 'organization-killed'
    | 'organization-unkilled'
    | 'global-killed'
    | 'global-unkilled';
  readonly keyId?: string;
  readonly organizationId?: string;
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

/** One page of {@link ApiKeyManager.list}. */
export interface ApiKeyListPage {
  readonly keys: readonly ApiKeyInfo[];
  /** Pass as `after` for the next page; null on the last page. */
  readonly next: string | null;
}

/** Manages API keys; see {@link createApiKeyManager}. */
export interface ApiKeyManager {
  /**
   * Mints a key: returns the full key once (redacted) with its id and display start; stores only the hash.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed input (organization, env, name,
   *   scopes, a tier the manager does not know, or an expiry that is not a valid future `Date`).
   */
  mint(input: MintApiKeyInput): Promise<MintedApiKey>;
  /**
   * Stores a key minted elsewhere, by its hash (migrating from another system).
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed input, a `start` that disagrees
   *   with `env`, `keyId` or the prefix, or a key id already in use.
   */
  importKey(input: ImportApiKeyInput): Promise<ApiKeyInfo>;
  /**
   * Gives the key a new secret under the same `key_id`. The old secret keeps working for
   * `gracePeriodMs` (default 0: it stops at once).
   * @throws {ApiKeyNotFoundError} `NOT_FOUND`. @throws {ApiKeyRevokedError} `KEY_REVOKED`.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed key id or grace period.
   * @throws {ApiKeyConflictError} `API_KEY_CONFLICT` when concurrent changes keep winning.
   */
  rotate(keyId: string, options?: { gracePeriodMs?: number }): Promise<MintedApiKey>;
  /**
   * Revokes the key, permanently (the record is kept). Idempotent.
   * @throws {ApiKeyNotFoundError} `NOT_FOUND`. @throws {InvalidInputError} `INVALID_INPUT` for a
   *   malformed key id. @throws {ApiKeyConflictError} `API_KEY_CONFLICT`.
   */
  revoke(keyId: string): Promise<ApiKeyInfo>;
  /**
   * Turns the key's kill switch on: `503 KILL_SWITCH` until `unkill`.
   * @throws {ApiKeyNotFoundError} `NOT_FOUND`. @throws {ApiKeyRevokedError} `KEY_REVOKED`.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed key id.
   */
  kill(keyId: string): Promise<ApiKeyInfo>;
  /**
   * Turns the key's kill switch off.
   * @throws {ApiKeyNotFoundError} `NOT_FOUND`. @throws {ApiKeyRevokedError} `KEY_REVOKED`.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed key id.
   */
  unkill(keyId: string): Promise<ApiKeyInfo>;
  /**
   * Turns the organization's kill switch on or off (every key of it).
   * @throws {InvalidInputError} `INVALID_INPUT` for an organization id that is not 1–200 characters.
   */
  setOrganizationKillSwitch(organizationId: string, killed: boolean): Promise<void>;
  /** Turns the global kill switch on or off (every key). */
  setGlobalKillSwitch(killed: boolean): Promise<void>;
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

/**
 * Creates the admin side of API keys. Minting returns the full key exactly once, as `Redacted`;
 * only its hash is stored, so a lost key cannot be recovered, only rotated. Records are never
 * deleted: revocation is a permanent flag.
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
 * await manager.kill(minted.keyId); // every request with it now gets 503 KILL_SWITCH
 * await manager.revoke(minted.keyId); // and now 401 REVOKED, for good
 * await hasher.close();
 * ```
 */
export function createApiKeyManager(options: ApiKeyManagerOptions): ApiKeyManager {
  const { store, hasher } = options;
  const prefix = checkPrefix(options.prefix ?? DEFAULT_API_KEY_PREFIX);
  const clock = options.clock ?? Date.now;
  const tiers = resolveTiers(options.tiers);
  const announce = (change: ApiKeyChange): void => {
    try {
      options.onChange?.(change);
    } catch {
      // The change is stored; a failing listener must not turn it into an error.
    }
  };

  async function load(keyId: string): Promise<ApiKeyRecord> {
    const record = await store.getKey(requireKeyId(keyId));
    if (record === null) throw new ApiKeyNotFoundError(keyId);
    return record;
  }

  /** Check-and-set loop: re-reads and retries when another writer got there first. */
  async function change(
    keyId: string,
    decide: (record: ApiKeyRecord) => ApiKeyChanges | null | Promise<ApiKeyChanges | null>,
  ): Promise<ApiKeyRecord> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const record = await load(keyId);
      const changes = await decide(record);
      if (changes === null) return record;
      if (await store.updateKey(keyId, record.revision, changes)) {
        return { ...record, ...changes, revision: record.revision + 1 };
      }
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
    make: () => Promise<{ keyId: string; start: string; secretHash: string; key: string | null }>,
    createdAt: number,
  ): Promise<{ record: ApiKeyRecord; key: string | null }> {
    const organizationId = requireText(input.organizationId, 'organizationId', 200);
    const env = requireEnv(input.env);
    const name = requireText(input.name, 'name', 200);
    const scopes = requireScopes(input.scopes);
    const tier = requireTier(input.tier, tiers);
    const expiresAt = optionalTime(input.expiresAt, 'expiresAt');
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
      };
      if (await store.insertKey(record)) return { record, key: made.key };
      // 80 random bits make a collision practically impossible; an imported id may still clash.
      if (made.key === null) break;
    }
    throw new InvalidInputError('that key id is already in use', {
      details: { parameter: 'keyId' },
    });
  }

  return {
    async mint(input) {
      requireEnv(input?.env);
      const expiresAt = optionalTime(input.expiresAt, 'expiresAt');
      if (expiresAt !== null && expiresAt <= clock()) {
        throw new InvalidInputError(
          'expiresAt is not in the future: the key would be expired when minted. Pass a later Date, or omit it for no expiry.',
          { details: { parameter: 'expiresAt' } },
        );
      }
      const { record, key } = await insert(
        input,
        async () => {
          const generated = generateApiKey(prefix, input.env);
          const secretHash = await hasher.hash(generated.key);
          return { ...generated, secretHash };
        },
        clock(),
      );
      return minted(key ?? '', record);
    },

    async importKey(input) {
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
      const createdAt = optionalTime(input.createdAt, 'createdAt') ?? clock();
      const { record } = await insert(
        input,
        async () => ({ keyId, start, secretHash, key: null }),
        createdAt,
      );
      return toApiKeyInfo(record, clock());
    },

    async rotate(keyId, rotateOptions = {}) {
      const grace = rotateOptions.gracePeriodMs ?? 0;
      if (!Number.isSafeInteger(grace) || grace < 0) {
        throw new InvalidInputError('gracePeriodMs must be a non-negative integer', {
          details: { parameter: 'gracePeriodMs' },
        });
      }
      let fresh = '';
      const record = await change(keyId, async (current) => {
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
      announce({ type: 'rotated', keyId: record.keyId, organizationId: record.organizationId });
      return minted(fresh, record);
    },

    async revoke(keyId) {
      const record = await change(keyId, (current) =>
        current.revokedAt !== null
          ? null
          : { revokedAt: clock(), previousSecretHash: null, previousSecretExpiresAt: null },
      );
      announce({ type: 'revoked', keyId: record.keyId, organizationId: record.organizationId });
      return toApiKeyInfo(record, clock());
    },

    async kill(keyId) {
      const record = await change(keyId, (current) => {
        notRevoked(current);
        return current.killed ? null : { killed: true };
      });
      announce({ type: 'killed', keyId: record.keyId, organizationId: record.organizationId });
      return toApiKeyInfo(record, clock());
    },

    async unkill(keyId) {
      const record = await change(keyId, (current) => {
        notRevoked(current);
        return current.killed ? { killed: false } : null;
      });
      announce({ type: 'unkilled', keyId: record.keyId, organizationId: record.organizationId });
      return toApiKeyInfo(record, clock());
    },

    async setOrganizationKillSwitch(organizationId, killed) {
      const id = requireText(organizationId, 'organizationId', 200);
      const target: KillSwitchTarget = { scope: 'organization', organizationId: id };
      await store.setKillSwitch(target, killed === true, clock());
      announce({
        type: killed === true ? 'organization-killed' : 'organization-unkilled',
        organizationId: id,
      });
    },

    async setGlobalKillSwitch(killed) {
      await store.setKillSwitch({ scope: 'global' }, killed === true, clock());
      announce({ type: killed === true ? 'global-killed' : 'global-unkilled' });
    },

    async isKillSwitchOn(organizationId) {
      if (organizationId === undefined) return store.getKillSwitch({ scope: 'global' });
      const id = requireText(organizationId, 'organizationId', 200);
      return store.getKillSwitch({ scope: 'organization', organizationId: id });
    },

    async get(keyId) {
      return toApiKeyInfo(await load(keyId), clock());
    },

    async list(organizationId, listOptions = {}) {
      const id = requireText(organizationId, 'organizationId', 200);
      const limit = listOptions.limit ?? 100;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) {
        throw new InvalidInputError('limit must be an integer from 1 to 1000', {
          details: { parameter: 'limit' },
        });
      }
      const after = listOptions.after === undefined ? undefined : requireKeyId(listOptions.after);
      const records = await store.listKeys(
        after === undefined
          ? { organizationId: id, limit }
          : { organizationId: id, limit, afterKeyId: after },
      );
      const now = clock();
      const last = records[records.length - 1];
      return {
        keys: records.map((r) => toApiKeyInfo(r, now)),
        next: records.length === limit && last !== undefined ? last.keyId : null,
      };
    },
  };
}
