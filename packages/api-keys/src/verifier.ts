// Request-side verification of API keys. The order of checks is fixed (docs/api-keys.md):
// global kill switch → the request's headers → well-formedness and checksum → lookup by key_id →
// secret compare (against a dummy hash of the same cost when the key_id is unknown) → the key's own
// state: revoked, killed (key, then organization), expired → required scopes.

import { Buffer } from 'node:buffer';
import { availableParallelism } from 'node:os';
import { InvalidInputError, randomBytes, sha256Hex } from '@coffer/core';
import { checkPrefix, DEFAULT_API_KEY_PREFIX, parseApiKey } from './api-key-format.js';
import { toVerifiedApiKey, type VerifiedApiKey } from './api-key-info.js';
import type { ApiKeyRecord, ApiKeyStore, KillSwitchTarget } from './api-key-store.js';
import type {
  AuthenticationAttempt,
  AuthenticationGuard,
  AuthenticationOutcome,
} from './authentication-guard.js';
import {
  KillSwitchError,
  RateLimitedError,
  RevokedKeyError,
  UnauthenticatedError,
  VerifierBusyError,
} from './errors.js';
import type { ApiKeyHasher } from './hasher.js';
import { type RequestLike, readApiKey } from './request-headers.js';
import { requireScopes } from './scopes.js';

/** Options of the verified-key cache. */
export interface ApiKeyCacheOptions {
  /** Most keys remembered as verified (default 10,000). Least recently used go first. */
  maxEntries?: number;
  /** How long a verification is trusted before the secret is compared again (default 5 minutes). */
  maxAgeMs?: number;
}

/** Options of the per-`key_id` throttle on failed compares. */
export interface FailedAttemptOptions {
  /** Failed compares allowed per `key_id` in one window before cold checks are refused (default 10). */
  limit?: number;
  /** The window, from the first failure (default 60 seconds). */
  windowMs?: number;
}

/** Options of {@link createApiKeyVerifier}. */
export interface ApiKeyVerifierOptions {
  /** Where keys and kill switches are stored. */
  store: ApiKeyStore;
  /** How secrets are compared; use the same hasher the manager mints with. */
  hasher: ApiKeyHasher;
  /** The key prefix (default `lp`). */
  prefix?: string;
  /** The verified-key cache, or `false` to compare the secret on every request. */
  cache?: ApiKeyCacheOptions | false;
  /**
   * How old the key's state (revoked, killed, rotated) and the organization and global kill
   * switches may be before they are re-read from the store (default 1000 ms). This bounds how long a
   * revoke or kill made by another process takes to apply here.
   */
  stateTtlMs?: number;
  /**
   * Cold verifications (lookup and secret compare) allowed at once; beyond it requests fail fast
   * with `VERIFIER_BUSY` (default 4 × cores). A verification of a key inside a rotation's grace
   * period runs its two compares side by side and counts once.
   */
  maxConcurrentCompares?: number;
  /** The failed-compare throttle, or `false` to disable it. */
  failedAttempts?: FailedAttemptOptions | false;
  /**
   * A limiter consulted before every secret compare and told every compare's outcome, e.g.
   * `createAuthenticationGuard()` of `@coffer/rate-limit` (by client address and `key_id`). Keys
   * answered from the cache never reach it.
   */
  guard?: AuthenticationGuard;
  /** Least time between two `last_used_at` writes for one key (default 60,000 ms). */
  lastUsedIntervalMs?: number;
  /** Milliseconds since the epoch (default `Date.now`). */
  clock?: () => number;
  /** Receives failures of background work (the `last_used_at` write). Default: ignored. */
  onBackgroundError?: (error: unknown) => void;
}

/** Per-call options of {@link ApiKeyVerifier.verify}. */
export interface VerifyApiKeyOptions {
  /** Scopes the key must all have, else `FORBIDDEN_SCOPE`. */
  requiredScopes?: readonly string[];
}

/**
 * What to re-read: one key's state (`keyId`), one organization's kill switch and every key of it
 * (`organizationId` alone), or (no fields) everything. A manager's `ApiKeyChange` is one of these.
 */
export interface ApiKeyInvalidation {
  readonly keyId?: string;
  readonly organizationId?: string;
}

/**
 * Verifies presented API keys; see {@link createApiKeyVerifier}.
 */
export interface ApiKeyVerifier {
  /**
   * Verifies a full key (as sent by the client) and returns what the request may know about it.
   *
   * @throws {KillSwitchError} `KILL_SWITCH` (503) with `details.scope` `global`, `key` or `organization`.
   * @throws {UnauthenticatedError} `UNAUTHENTICATED` (401) for anything wrong with the key itself.
   * @throws {RevokedKeyError} `REVOKED` (401) when the key was revoked.
   * @throws {ForbiddenScopeError} `FORBIDDEN_SCOPE` (403) when `requiredScopes` are missing.
   * @throws {RateLimitedError} `RATE_LIMITED` (429) after too many failures for this `key_id`.
   * @throws {VerifierBusyError} `VERIFIER_BUSY` (503) when too many compares are running.
   */
  verify(key: unknown, options?: VerifyApiKeyOptions): Promise<VerifiedApiKey>;
  /**
   * Reads the key from a request's headers (`X-Api-Key`, then `Authorization: Bearer`) and
   * verifies it. The global kill switch still comes first: with it on, every request gets
   * `503 KILL_SWITCH`, even one without a key or with conflicting headers.
   *
   * @throws {KillSwitchError} `KILL_SWITCH` (503), as for {@link ApiKeyVerifier.verify}.
   * @throws {UnauthenticatedError} `UNAUTHENTICATED` (401) when no key is sent, the headers
   *   conflict or are malformed, or the key is not valid; and every error of `verify`.
   */
  authenticate(request: RequestLike, options?: VerifyApiKeyOptions): Promise<VerifiedApiKey>;
  /**
   * Makes this verifier re-read state from the store on next use: for one key, one organization,
   * or everything (no argument). Wire it to the manager's `onChange` (and to your pub/sub across
   * processes) so revokes and kills apply at once instead of within `stateTtlMs`. Reads already
   * under way when it is called cannot undo it. Verified secrets stay verified: no extra bcrypt.
   */
  invalidate(target?: ApiKeyInvalidation): void;
}

interface CacheEntry {
  record: ApiKeyRecord;
  /** The stored hash the secret matched (current or previous). */
  readonly verifiedHash: string;
  readonly verifiedAt: number;
  stateAt: number;
  refreshing: Promise<ApiKeyRecord | null> | null;
  /** What verify returns, rebuilt whenever the record is re-read. */
  result: VerifiedApiKey;
  /** When the entry last moved to the back of the LRU order. */
  bumpedAt: number;
}

interface SwitchCell {
  value: boolean;
  at: number;
  pending: Promise<boolean> | null;
}

function positiveInteger(
  value: number | undefined,
  fallback: number,
  name: string,
  min = 1,
): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min) {
    throw new InvalidInputError(`${name} must be an integer of at least ${min}`, {
      details: { parameter: name },
    });
  }
  return v;
}

/** Whether something read at `at` may still be used at `now`. A clock that went back counts as stale. */
function fresh(at: number, now: number, ttl: number): boolean {
  const age = now - at;
  return age >= 0 && age < ttl;
}

const NOT_VALID = 'The API key is not valid. Send a valid key in the X-Api-Key header.';
const NOT_SENT = 'No API key was sent. Send it in the X-Api-Key header (or Authorization: Bearer).';
const MAX_TRACKED = 100_000;

function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
}

/**
 * Creates the request-side verifier. It reads keys and kill switches from `store` and compares
 * secrets with `hasher` (bcrypt in worker threads by default), so a busy key pays bcrypt once per
 * `cache.maxAgeMs`, not per request, and state changes made anywhere apply within `stateTtlMs`.
 *
 * The cache is keyed by a keyed SHA-256 of the full key (salted per verifier), never by `key_id`,
 * and never remembers failures: a wrong secret for a cached `key_id` is compared like any other.
 * The failed-compare throttle never refuses a key this verifier has already verified (still in the
 * cache, even past `cache.maxAgeMs`): a flood of wrong secrets for a known `key_id` cannot lock its
 * owner out once the owner has been seen.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` for malformed options.
 * @example
 * ```ts
 * import {
 *   createApiKeyManager,
 *   createApiKeyVerifier,
 *   createBcryptHasher,
 *   createMemoryApiKeyStore,
 * } from '@coffer/api-keys';
 *
 * const store = createMemoryApiKeyStore();
 * const hasher = createBcryptHasher({ cost: 4 }); // tests only; keep the default 12 in production
 * const verifier = createApiKeyVerifier({ store, hasher });
 * const manager = createApiKeyManager({ store, hasher, onChange: (c) => verifier.invalidate(c) });
 *
 * const minted = await manager.mint({ organizationId: 'org_1', env: 'live', name: 'partner', scopes: ['events:read'] });
 * const key = await verifier.verify(minted.key.expose(), { requiredScopes: ['events:read'] });
 * key.organizationId; // 'org_1'
 * await hasher.close();
 * ```
 */
export function createApiKeyVerifier(options: ApiKeyVerifierOptions): ApiKeyVerifier {
  const { store, hasher } = options;
  const prefix = checkPrefix(options.prefix ?? DEFAULT_API_KEY_PREFIX);
  const keyLength = prefix.length + 66;
  const clock = options.clock ?? Date.now;
  const cacheOptions = options.cache === false ? { maxEntries: 0 } : (options.cache ?? {});
  const maxEntries = positiveInteger(cacheOptions.maxEntries, 10_000, 'cache.maxEntries', 0);
  const maxAgeMs = positiveInteger(
    'maxAgeMs' in cacheOptions ? cacheOptions.maxAgeMs : undefined,
    300_000,
    'cache.maxAgeMs',
  );
  const stateTtlMs = positiveInteger(options.stateTtlMs, 1000, 'stateTtlMs', 0);
  const maxCompares = positiveInteger(
    options.maxConcurrentCompares,
    4 * availableParallelism(),
    'maxConcurrentCompares',
  );
  const throttle =
    options.failedAttempts === false
      ? null
      : {
          limit: positiveInteger(options.failedAttempts?.limit, 10, 'failedAttempts.limit'),
          windowMs: positiveInteger(
            options.failedAttempts?.windowMs,
            60_000,
            'failedAttempts.windowMs',
          ),
        };
  const lastUsedIntervalMs = positiveInteger(
    options.lastUsedIntervalMs,
    60_000,
    'lastUsedIntervalMs',
    0,
  );
  const onBackgroundError = options.onBackgroundError ?? (() => {});
  const guard = options.guard;

  // A per-verifier random salt makes the cache key a keyed hash: a memory dump of the cache does
  // not let anyone test guesses of keys offline, and the raw key is never a map key.
  // The cache key is SHA-256(salt ‖ key) computed in a scratch buffer: the 32-byte salt stays in
  // place and each key is written after it (ASCII only: a key whose UTF-8 form is not exactly
  // `keyLength` bytes is not a well-formed key and never reaches the cache).
  const scratch = Buffer.alloc(32 + keyLength * 3 + 4);
  scratch.set(randomBytes(32));
  const hashed = new Uint8Array(scratch.buffer, scratch.byteOffset, 32 + keyLength);
  const cacheKeyOf = (key: string): string | null =>
    scratch.write(key, 32, 'utf8') === keyLength ? sha256Hex(hashed) : null;
  const cache = new Map<string, CacheEntry>();
  const inflight = new Map<string, Promise<CacheEntry>>();
  const failures = new Map<string, { count: number; since: number }>();
  const touched = new Map<string, number>();
  const globalSwitch: SwitchCell = { value: false, at: Number.NEGATIVE_INFINITY, pending: null };
  const orgSwitches = new Map<string, SwitchCell>();
  let comparing = 0;
  // Bumped by every invalidate(). A store read that started under an older epoch may still answer
  // the request that made it, but never marks state fresh: it may predate the change announced.
  let epoch = 0;
  const report = (error: unknown): void => {
    try {
      onBackgroundError(error);
    } catch {
      // A failing error sink must not become an unhandled rejection.
    }
  };

  // Warm the dummy hash so the first unknown key_id costs no more than a known one.
  hasher.dummyHash().catch(() => {});

  function readSwitch(
    cell: SwitchCell,
    target: KillSwitchTarget,
    now: number,
  ): boolean | Promise<boolean> {
    if (fresh(cell.at, now, stateTtlMs)) return cell.value;
    if (cell.pending === null) {
      const started = epoch;
      // What a read returns is as old as the moment it was asked for, not when it answered.
      const readAt = clock();
      const pending: Promise<boolean> = store.getKillSwitch(target).then(
        (value) => {
          if (cell.pending === pending) cell.pending = null;
          if (started === epoch) {
            cell.value = value;
            cell.at = readAt;
          }
          return value;
        },
        (error: unknown) => {
          if (cell.pending === pending) cell.pending = null;
          throw error;
        },
      );
      cell.pending = pending;
    }
    return cell.pending;
  }

  function organizationKilled(organizationId: string, now: number): boolean | Promise<boolean> {
    let cell = orgSwitches.get(organizationId);
    if (cell === undefined) {
      cell = { value: false, at: Number.NEGATIVE_INFINITY, pending: null };
      setBounded(orgSwitches, organizationId, cell, MAX_TRACKED);
    }
    return readSwitch(cell, { scope: 'organization', organizationId }, now);
  }

  /** Whether the hash the secret matched still authorizes it at `now`. */
  function hashStillValid(record: ApiKeyRecord, verifiedHash: string, now: number): boolean {
    if (verifiedHash === record.secretHash) return true;
    return (
      verifiedHash === record.previousSecretHash &&
      record.previousSecretExpiresAt !== null &&
      now < record.previousSecretExpiresAt
    );
  }

  async function refreshed(entry: CacheEntry, now: number): Promise<ApiKeyRecord | null> {
    if (fresh(entry.stateAt, now, stateTtlMs)) return entry.record;
    if (entry.refreshing === null) {
      const started = epoch;
      const readAt = clock();
      const refreshing: Promise<ApiKeyRecord | null> = store.getKey(entry.record.keyId).then(
        (record) => {
          if (entry.refreshing === refreshing) entry.refreshing = null;
          if (record !== null && started === epoch) {
            entry.record = record;
            entry.result = toVerifiedApiKey(record);
            entry.stateAt = readAt;
          }
          return record;
        },
        (error: unknown) => {
          if (entry.refreshing === refreshing) entry.refreshing = null;
          throw error;
        },
      );
      entry.refreshing = refreshing;
    }
    return entry.refreshing;
  }

  /**
   * The key's own state, judged at `now` (the time the secret was settled, which may be well after
   * the request arrived: a compare can queue). The global switch is asked again for the same reason.
   */
  async function checkState(record: ApiKeyRecord, now: number): Promise<void> {
    await globalFirst(now);
    if (record.revokedAt !== null) throw new RevokedKeyError(record.keyId);
    if (record.killed) throw new KillSwitchError('key', record.keyId);
    if (await organizationKilled(record.organizationId, now)) {
      throw new KillSwitchError('organization', record.keyId);
    }
    if (record.expiresAt !== null && now >= record.expiresAt) {
      throw new UnauthenticatedError('This API key has expired; use a current key.', {
        details: { keyId: record.keyId, reason: 'expired' },
      });
    }
  }

  function recordFailure(keyId: string, now: number): void {
    if (throttle === null) return;
    const seen = failures.get(keyId);
    if (seen === undefined || !fresh(seen.since, now, throttle.windowMs)) {
      setBounded(failures, keyId, { count: 1, since: now }, MAX_TRACKED);
    } else {
      // Moved to the back too: the id under attack is the last to be evicted, not the first.
      seen.count += 1;
      setBounded(failures, keyId, seen, MAX_TRACKED);
    }
  }

  function tellGuard(
    attempt: AuthenticationAttempt | undefined,
    outcome: AuthenticationOutcome,
  ): void {
    if (guard === undefined || attempt === undefined) return;
    try {
      guard.record(attempt, outcome);
    } catch (error) {
      report(error);
    }
  }

  function touch(record: ApiKeyRecord, now: number): void {
    const last = touched.get(record.keyId) ?? record.lastUsedAt ?? Number.NEGATIVE_INFINITY;
    // A clock that went back makes the last write look recent for as long as the jump: write anyway.
    if (fresh(last, now, lastUsedIntervalMs)) return;
    setBounded(touched, record.keyId, now, MAX_TRACKED);
    try {
      store.touchKey(record.keyId, now).catch(report);
    } catch (error) {
      report(error);
    }
  }

  /**
   * Parses, looks up and compares. `proven`: this exact key verified here before (its cache entry
   * aged out), so the failed-compare throttle does not apply to it.
   */
  async function coldVerify(
    key: string,
    now: number,
    proven: boolean,
    request: RequestLike | undefined,
  ): Promise<CacheEntry> {
    const parsed = parseApiKey(key, { prefix });
    if (parsed === null) throw new UnauthenticatedError(NOT_VALID);
    if (throttle !== null && !proven) {
      const seen = failures.get(parsed.keyId);
      if (seen !== undefined && seen.count >= throttle.limit) {
        // Within the window (a clock that went back ends the window rather than stretching it).
        if (fresh(seen.since, now, throttle.windowMs)) {
          throw new RateLimitedError(seen.since + throttle.windowMs - now);
        }
        failures.delete(parsed.keyId);
      }
    }
    if (comparing >= maxCompares) throw new VerifierBusyError();
    const attempt: AuthenticationAttempt | undefined =
      guard === undefined ? undefined : { request, keyId: parsed.keyId, knownKey: proven };
    comparing += 1;
    const started = epoch;
    let record: ApiKeyRecord | null;
    let matched: string | null = null;
    let readAt = now;
    try {
      // After the busy check, holding a slot: a request refused as busy costs the guard nothing.
      if (guard !== undefined && attempt !== undefined) await guard.check(attempt);
      readAt = clock();
      record = await store.getKey(parsed.keyId);
      const previous = record?.previousSecretHash ?? null;
      if (record === null) {
        await hasher.verify(key, await hasher.dummyHash());
      } else if (previous !== null && hashStillValid(record, previous, now)) {
        // Inside a rotation's grace period: both compares side by side, so a wrong secret costs
        // about one compare's time (with two or more threads), not two in a row.
        // allSettled: the slot is held until both compares are done, even if one fails.
        const [current, old] = await Promise.allSettled([
          hasher.verify(key, record.secretHash),
          hasher.verify(key, previous),
        ]);
        if (current.status === 'rejected') throw current.reason;
        if (old.status === 'rejected') throw old.reason;
        matched = current.value ? record.secretHash : old.value ? previous : null;
      } else if (await hasher.verify(key, record.secretHash)) {
        matched = record.secretHash;
      }
    } finally {
      comparing -= 1;
    }
    if (record === null || matched === null) {
      recordFailure(parsed.keyId, now);
      tellGuard(attempt, 'failed');
      throw new UnauthenticatedError(NOT_VALID);
    }
    failures.delete(parsed.keyId);
    tellGuard(attempt, 'verified');
    return {
      record,
      verifiedHash: matched,
      verifiedAt: now,
      bumpedAt: now,
      stateAt: started === epoch ? readAt : Number.NEGATIVE_INFINITY,
      refreshing: null,
      result: toVerifiedApiKey(record),
    };
  }

  /**
   * The path of a busy key: everything known and fresh, no I/O, no await. Returns undefined when
   * anything needs the general path (stale state, a kill switch on, not cached, a refusal).
   */
  function fastPath(key: unknown, now: number): CacheEntry | undefined {
    if (maxEntries === 0 || globalSwitch.value || !fresh(globalSwitch.at, now, stateTtlMs)) {
      return undefined;
    }
    if (typeof key !== 'string' || key.length !== keyLength) return undefined;
    const cacheKey = cacheKeyOf(key);
    const entry = cacheKey === null ? undefined : cache.get(cacheKey);
    if (
      cacheKey === null ||
      entry === undefined ||
      !fresh(entry.verifiedAt, now, maxAgeMs) ||
      !fresh(entry.stateAt, now, stateTtlMs)
    ) {
      return undefined;
    }
    const record = entry.record;
    if (
      !hashStillValid(record, entry.verifiedHash, now) ||
      record.revokedAt !== null ||
      record.killed ||
      (record.expiresAt !== null && now >= record.expiresAt)
    ) {
      return undefined;
    }
    const org = orgSwitches.get(record.organizationId);
    if (org === undefined || org.value || !fresh(org.at, now, stateTtlMs)) return undefined;
    bump(cacheKey, entry, now);
    return entry;
  }

  /** Least-recently-used order, refreshed at most once a second per entry to keep hits cheap. */
  function bump(cacheKey: string, entry: CacheEntry, now: number): void {
    if (now - entry.bumpedAt < 1000 && now >= entry.bumpedAt) return;
    entry.bumpedAt = now;
    cache.delete(cacheKey);
    cache.set(cacheKey, entry);
  }

  function verify(key: unknown, verifyOptions: VerifyApiKeyOptions = {}): Promise<VerifiedApiKey> {
    return verifyFrom(key, verifyOptions, undefined);
  }

  /** `request`: where the key came from, for the guard (undefined for a bare `verify`). */
  function verifyFrom(
    key: unknown,
    verifyOptions: VerifyApiKeyOptions,
    request: RequestLike | undefined,
  ): Promise<VerifiedApiKey> {
    try {
      const now = clock();
      const entry = fastPath(key, now);
      if (entry === undefined) return slowVerify(key, verifyOptions, now, request);
      touch(entry.record, now);
      checkScopes(entry.record, verifyOptions);
      return Promise.resolve(entry.result);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  function checkScopes(record: ApiKeyRecord, verifyOptions: VerifyApiKeyOptions): void {
    const required = verifyOptions.requiredScopes;
    if (required !== undefined) requireScopes(record, required);
  }

  /** Refuses with the global kill switch when it is on; the first step of every decision. */
  async function globalFirst(now: number): Promise<void> {
    const killed = readSwitch(globalSwitch, { scope: 'global' }, now);
    if (killed === true || (killed !== false && (await killed)))
      throw new KillSwitchError('global');
  }

  function authenticate(
    request: RequestLike,
    verifyOptions: VerifyApiKeyOptions = {},
  ): Promise<VerifiedApiKey> {
    // Not an async function: the hot path stays one promise deep.
    let key: string | null;
    try {
      key = readApiKey(request.headers);
    } catch (error) {
      return globalFirst(clock()).then(() => Promise.reject(error));
    }
    if (key === null) {
      const missing = new UnauthenticatedError(NOT_SENT, { details: { reason: 'missing' } });
      return globalFirst(clock()).then(() => Promise.reject(missing));
    }
    return verifyFrom(key, verifyOptions, request);
  }

  async function slowVerify(
    key: unknown,
    verifyOptions: VerifyApiKeyOptions,
    now: number,
    request: RequestLike | undefined,
  ): Promise<VerifiedApiKey> {
    await globalFirst(now);
    if (typeof key !== 'string' || key.length !== keyLength)
      throw new UnauthenticatedError(NOT_VALID);

    const cacheKey = maxEntries > 0 ? cacheKeyOf(key) : null;
    let entry: CacheEntry | undefined;
    let current: ApiKeyRecord | undefined;
    // Verified here before: compared again once its entry ages out, but never throttled. The aged
    // entry stays (as this marker) until a compare settles it: only a definite "wrong secret"
    // removes it, not a busy verifier, a store error or a failed worker.
    let stale: CacheEntry | undefined;
    if (cacheKey !== null) {
      const cached = cache.get(cacheKey);
      if (cached !== undefined && !fresh(cached.verifiedAt, now, maxAgeMs)) {
        stale = cached;
      } else if (cached !== undefined) {
        const record = await refreshed(cached, now);
        if (record === null || !hashStillValid(record, cached.verifiedHash, clock())) {
          // Gone, or rotated away: this exact key no longer authorizes anything.
          if (cache.get(cacheKey) === cached) cache.delete(cacheKey);
        } else {
          bump(cacheKey, cached, now);
          entry = cached;
          current = record;
        }
      }
    }
    if (entry === undefined) {
      let pending = cacheKey === null ? undefined : inflight.get(cacheKey);
      if (pending === undefined) {
        pending = coldVerify(key, now, stale !== undefined, request);
        if (cacheKey !== null) {
          const ours = pending;
          inflight.set(cacheKey, ours);
          ours.then(
            (made) => {
              if (inflight.get(cacheKey) === ours) inflight.delete(cacheKey);
              setBounded(cache, cacheKey, made, maxEntries);
            },
            (error: unknown) => {
              if (inflight.get(cacheKey) === ours) inflight.delete(cacheKey);
              const wrongSecret = error instanceof UnauthenticatedError;
              if (wrongSecret && stale !== undefined && cache.get(cacheKey) === stale) {
                cache.delete(cacheKey);
              }
            },
          );
        }
      }
      entry = await pending;
      current = entry.record;
    }
    const record = current ?? entry.record;
    const decidedAt = clock();
    await checkState(record, decidedAt);
    touch(record, decidedAt);
    checkScopes(record, verifyOptions);
    return entry.result;
  }

  function invalidate(target: ApiKeyInvalidation = {}): void {
    epoch += 1;
    // Verifications under way read their state before this call: let none of them be joined.
    inflight.clear();
    const { keyId, organizationId } = target;
    const everything = keyId === undefined && organizationId === undefined;
    if (everything) {
      globalSwitch.at = Number.NEGATIVE_INFINITY;
      globalSwitch.pending = null;
      orgSwitches.clear();
    } else if (keyId === undefined && organizationId !== undefined) {
      orgSwitches.delete(organizationId);
    }
    for (const entry of cache.values()) {
      const hit =
        everything ||
        (keyId !== undefined
          ? entry.record.keyId === keyId
          : entry.record.organizationId === organizationId);
      if (hit) {
        entry.stateAt = Number.NEGATIVE_INFINITY;
        entry.refreshing = null;
      }
    }
  }

  return { verify, authenticate, invalidate };
}
