// Request-side verification of API keys. The order of checks is fixed (docs/api-keys.md):
// global kill switch → the request's headers → well-formedness and checksum → lookup by key_id →
// secret compare (against a dummy hash of the same cost when the key_id is unknown) → the key's own
// state, judged when the compare ends on a record no older than `stateTtlMs` and read after the last
// invalidation naming it: rotated away, environment, revoked, killed (key, then organization),
// expired → required scopes.

import { type CofferError, InvalidInputError, randomBytes, sha256Hex } from '@coffer/core';
import platform from '#platform';
import {
  type ApiKeyEnv,
  checkPrefix,
  DEFAULT_API_KEY_PREFIX,
  type ParsedApiKey,
  parseApiKey,
} from './api-key-format.js';
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
  StaleKeyStateError,
  UnauthenticatedError,
  VerifierBusyError,
} from './errors.js';
import type { ApiKeyHasher } from './hasher.js';
import {
  type ConflictingHeadersPolicy,
  checkConflictingHeaders,
  type RequestLike,
  readRequestApiKey,
} from './request-headers.js';
import { requireScopes } from './scopes.js';

/** Options of the verified-key cache. */
export interface ApiKeyCacheOptions {
  /** Most keys remembered as verified (default 10,000). Least recently used go first. */
  maxEntries?: number;
  /**
   * How long a verification is trusted before the secret is compared again (default 5 minutes).
   * The re-compare runs in the background, in a lane of its own that unknown keys cannot fill,
   * while requests keep being answered from the entry with freshly read state; only an entry older
   * than twice this makes its requests wait for the re-compare.
   */
  maxAgeMs?: number;
}

/** Options of the per-`key_id` throttle on failed compares. */
export interface FailedAttemptOptions {
  /**
   * Failed compares allowed per `key_id` in one window before cold checks are refused (default
   * 10). Compares still running for the `key_id` count against it too, so concurrent guesses
   * cannot overshoot it.
   */
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
  /**
   * The verified-key cache, or `false` to compare the secret on every request (requests that
   * arrive with the same key while its compare runs share that compare).
   */
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
   * period runs its two compares side by side and counts once. Re-compares of keys this verifier
   * has already verified (after `cache.maxAgeMs`) do not count: they have a lane of their own of a
   * quarter of this (at least one), so a flood of unknown keys cannot lock out a proven partner.
   */
  maxConcurrentCompares?: number;
  /**
   * What to do when a request sends both `X-Api-Key` and `Authorization`. `'prefer-x-api-key'`
   * (default) uses `X-Api-Key` and ignores `Authorization` (a gateway's own bearer token, say);
   * `'reject'` refuses a request whose `Authorization: Bearer` carries a different key, or is
   * malformed, with `401 UNAUTHENTICATED`. A repeated header is refused either way.
   */
  conflictingHeaders?: ConflictingHeadersPolicy;
  /** The failed-compare throttle, or `false` to disable it. */
  failedAttempts?: FailedAttemptOptions | false;
  /**
   * A limiter consulted before every secret compare of a key this verifier has not proven, and
   * told each such compare's outcome, e.g. `createAuthenticationGuard()` of `@coffer/rate-limit`
   * (by client address and `key_id`). Keys answered from the cache, and re-compares of proven keys
   * in their own lane, never reach it.
   */
  guard?: AuthenticationGuard;
  /** Least time between two `last_used_at` writes for one key (default 60,000 ms). */
  lastUsedIntervalMs?: number;
  /** Milliseconds since the epoch (default `Date.now`). */
  clock?: () => number;
  /**
   * Receives failures of background work (the `last_used_at` write, the re-compare of an aged
   * cache entry). Default: ignored.
   */
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
   * @throws {UnauthenticatedError} `UNAUTHENTICATED` (401) for anything wrong with the key itself,
   *   including a key whose environment differs from its record's (`details.reason`
   *   `environment_mismatch`, said only once the secret is proven).
   * @throws {RevokedKeyError} `REVOKED` (401) when the key was revoked.
   * @throws {ForbiddenScopeError} `FORBIDDEN_SCOPE` (403) when `requiredScopes` are missing.
   * @throws {RateLimitedError} `RATE_LIMITED` (429) after too many failures for this `key_id`.
   * @throws {VerifierBusyError} `VERIFIER_BUSY` (503) when too many compares are running.
   */
  verify(key: unknown, options?: VerifyApiKeyOptions): Promise<VerifiedApiKey>;
  /**
   * Reads the key from a request's headers (`X-Api-Key`; `Authorization: Bearer` when there is no
   * `X-Api-Key`) and verifies it. On a Node request (`IncomingMessage`, Express) a header sent
   * twice is seen in `rawHeaders` even where Node's parser kept only the first. The global kill
   * switch still comes first: with it on, every request gets `503 KILL_SWITCH`, even one without a
   * key or with a repeated header.
   *
   * @throws {KillSwitchError} `KILL_SWITCH` (503), as for {@link ApiKeyVerifier.verify}.
   * @throws {UnauthenticatedError} `UNAUTHENTICATED` (401) when no key is sent, a header is repeated
   *   or malformed (or, with `conflictingHeaders: 'reject'`, the two headers disagree), or the key
   *   is not valid; and every error of `verify`.
   */
  authenticate(request: RequestLike, options?: VerifyApiKeyOptions): Promise<VerifiedApiKey>;
  /**
   * Makes this verifier re-read state from the store on next use: for one key, one organization,
   * or everything (no argument). Wire it to the manager's `onChange` (and to your pub/sub across
   * processes) so revokes and kills apply at once instead of within `stateTtlMs`. A request
   * decided after the call is judged on state read after it, even if its compare started before
   * (the record is re-read). Verified secrets stay verified: no extra bcrypt.
   */
  invalidate(target?: ApiKeyInvalidation): void;
}

/** One read of a key's record, from the moment it was asked for. */
interface StateRead {
  /** When it was asked for: what it returns is at least this fresh. */
  readonly at: number;
  /** The invalidation epoch when it was asked for. */
  readonly epoch: number;
  readonly promise: Promise<ApiKeyRecord | null>;
}

interface CacheEntry {
  /** The environment the presented key names (an entry is one full key). */
  readonly env: ApiKeyEnv;
  record: ApiKeyRecord;
  /** The stored hash the secret matched (current or previous). */
  readonly verifiedHash: string;
  /** When the secret was last compared and matched. */
  verifiedAt: number;
  /** When `record` was asked for; minus infinity once an invalidation names the key. */
  stateAt: number;
  /** The invalidation epoch when `record` was asked for. */
  readEpoch: number;
  refreshing: StateRead | null;
  /** What verify returns, rebuilt whenever the record is re-read. */
  result: VerifiedApiKey;
  /** When the entry last moved to the back of the LRU order. */
  bumpedAt: number;
  /** The re-compare of an aged entry, while it runs. */
  rechecking: Promise<boolean> | null;
}

/** One read of a kill switch, from the moment it was asked for. */
interface SwitchRead {
  readonly epoch: number;
  readonly promise: Promise<boolean>;
}

interface SwitchCell {
  value: boolean;
  at: number;
  pending: SwitchRead | null;
}

/** A `key_id`'s failed compares in the current window. */
interface Failures {
  count: number;
  since: number;
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

/**
 * Whether something done at `at` is at least `ms` old at `now`. A clock that went back is not a
 * great age: the thing counts as stale (see {@link fresh}) but not as ancient.
 */
function olderThan(at: number, now: number, ms: number): boolean {
  return now - at >= ms;
}

const NOT_VALID = 'The API key is not valid. Send a valid key in the X-Api-Key header.';
const NOT_SENT = 'No API key was sent. Send it in the X-Api-Key header (or Authorization: Bearer).';
const WRONG_ENV =
  "This API key's environment (live or test) does not match the key on record; ask for a new key.";
const MAX_TRACKED = 100_000;
const utf8 = new TextEncoder();
/** Reads of a key's record per decision, at most (an invalidation or a stale answer asks for another). */
const MAX_READS = 3;

/** The store keeps answering with an older revision of the key than one already judged on. */
function staleStateError(keyId: string): CofferError {
  return new StaleKeyStateError(keyId);
}

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
 * Every decision is made when the compare ends, on state no older than `stateTtlMs` and read after
 * the last `invalidate` naming the key: a request that queued for a compare while its key was
 * revoked, killed or rotated away is refused. A key this verifier has already verified (still in
 * the cache, even past `cache.maxAgeMs`) skips the failed-compare throttle and is re-compared in a
 * lane of its own, so neither wrong secrets for its `key_id` nor a flood of unknown keys lock its
 * owner out. The throttle counts only failures and compares in flight, never successes: what a
 * guesser sees for a `key_id` is the same whether the key exists or not, and whoever else uses it.
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
  const headerOptions = {
    conflictingHeaders: checkConflictingHeaders(options.conflictingHeaders),
  };
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
    4 * platform.parallelism(),
    'maxConcurrentCompares',
  );
  // Re-compares of proven keys: their own lane, so unknown keys filling `maxCompares` cannot
  // starve them. At most this many run at once; the rest wait their turn (one per cache entry).
  const laneSize = Math.max(1, Math.ceil(maxCompares / 4));
  const guard = options.guard;
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

  // A per-verifier random salt makes the cache key a keyed hash: a memory dump of the cache does
  // not let anyone test guesses of keys offline, and the raw key is never a map key.
  // The cache key is SHA-256(salt ‖ key) computed in a scratch buffer: the 32-byte salt stays in
  // place and each key is written after it (ASCII only: a key whose UTF-8 form is not exactly
  // `keyLength` bytes is not a well-formed key and never reaches the cache).
  const scratch = new Uint8Array(32 + keyLength * 3 + 4);
  scratch.set(randomBytes(32));
  const hashed = scratch.subarray(0, 32 + keyLength);
  const keyBytes = scratch.subarray(32);
  const cacheKeyOf = (key: string): string | null => {
    const { read, written } = utf8.encodeInto(key, keyBytes);
    return read === key.length && written === keyLength ? sha256Hex(hashed) : null;
  };
  const cache = new Map<string, CacheEntry>();
  const inflight = new Map<string, Promise<CacheEntry>>();
  const failures = new Map<string, Failures>();
  // Compares running now per key_id (only those the throttle admitted): they count against the
  // limit, so concurrent guesses cannot all pass the check before any of them has failed.
  const comparingIds = new Map<string, number>();
  const touched = new Map<string, number>();
  // The highest revision of each key's record read here. A read that answers with a lower one (a
  // lagging replica, say) predates state already judged on: it never decides a request.
  const revisions = new Map<string, number>();
  const globalSwitch: SwitchCell = { value: false, at: Number.NEGATIVE_INFINITY, pending: null };
  const orgSwitches = new Map<string, SwitchCell>();
  let comparing = 0;
  let laneBusy = 0;
  const laneWaiting: Array<() => void> = [];
  // Bumped by every invalidate(). Each invalidation remembers its epoch under what it names; a read
  // asked for under an older epoch than an invalidation naming its key predates that change: it
  // may not decide a request made after it, and is never kept as fresh.
  let epoch = 0;
  let everythingAt = 0;
  // The highest epoch dropped from the bounded maps below: reads older than it count as stale.
  let forgottenAt = 0;
  const keyInvalidatedAt = new Map<string, number>();
  const orgInvalidatedAt = new Map<string, number>();
  const report = (error: unknown): void => {
    try {
      onBackgroundError(error);
    } catch {
      // A failing error sink must not become an unhandled rejection.
    }
  };

  // Warm the dummy hash so the first unknown key_id costs no more than a known one.
  hasher.dummyHash().catch(() => {});

  function rememberInvalidation(map: Map<string, number>, id: string): void {
    map.delete(id);
    map.set(id, epoch);
    if (map.size > MAX_TRACKED) {
      const oldest = map.entries().next();
      if (oldest.done !== true) {
        map.delete(oldest.value[0]);
        forgottenAt = Math.max(forgottenAt, oldest.value[1]);
      }
    }
  }

  /** Whether an invalidation naming this key came after a read asked for at `readEpoch`. */
  function invalidatedSince(record: ApiKeyRecord, readEpoch: number): boolean {
    return (
      everythingAt > readEpoch ||
      forgottenAt > readEpoch ||
      (keyInvalidatedAt.get(record.keyId) ?? 0) > readEpoch ||
      (orgInvalidatedAt.get(record.organizationId) ?? 0) > readEpoch
    );
  }

  /** Whether an invalidation naming this switch came after a read asked for at `readEpoch`. */
  function switchInvalidatedSince(target: KillSwitchTarget, readEpoch: number): boolean {
    if (everythingAt > readEpoch) return true;
    if (target.scope === 'global') return false;
    return (
      forgottenAt > readEpoch || (orgInvalidatedAt.get(target.organizationId) ?? 0) > readEpoch
    );
  }

  function switchCell(target: KillSwitchTarget): SwitchCell {
    if (target.scope === 'global') return globalSwitch;
    let cell = orgSwitches.get(target.organizationId);
    if (cell === undefined) {
      cell = { value: false, at: Number.NEGATIVE_INFINITY, pending: null };
      setBounded(orgSwitches, target.organizationId, cell, MAX_TRACKED);
    }
    return cell;
  }

  /** The switch's read under way, or a new one; what it returns is kept only if no invalidation overtook it. */
  function readSwitch(cell: SwitchCell, target: KillSwitchTarget): SwitchRead {
    if (cell.pending !== null) return cell.pending;
    const readEpoch = epoch;
    // What a read returns is as old as the moment it was asked for, not when it answered.
    const readAt = clock();
    const promise = store.getKillSwitch(target).then(
      (value) => {
        if (cell.pending === read) cell.pending = null;
        if (!switchInvalidatedSince(target, readEpoch)) {
          cell.value = value;
          cell.at = readAt;
        }
        return value;
      },
      (error: unknown) => {
        if (cell.pending === read) cell.pending = null;
        throw error;
      },
    );
    const read: SwitchRead = { epoch: readEpoch, promise };
    cell.pending = read;
    return read;
  }

  /**
   * Whether the switch is on, as it may be judged at `at`: read less than `stateTtlMs` ago, and
   * read again when an invalidation naming it overtook the read (twice at most, so a switch
   * flipped without pause still gets an answer).
   */
  async function switchOn(target: KillSwitchTarget, at: number): Promise<boolean> {
    for (let reads = 0; ; reads += 1) {
      const cell = switchCell(target);
      if (fresh(cell.at, at, stateTtlMs)) return cell.value;
      const read = readSwitch(cell, target);
      const value = await read.promise;
      if (reads >= 2 || !switchInvalidatedSince(target, read.epoch)) return value;
      at = clock();
    }
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

  function noteRevision(record: ApiKeyRecord): void {
    if (record.revision >= (revisions.get(record.keyId) ?? 0)) {
      setBounded(revisions, record.keyId, record.revision, MAX_TRACKED);
    }
  }

  /** Whether a revision of this key newer than `record` has been read here. */
  function behind(record: ApiKeyRecord): boolean {
    return record.revision < (revisions.get(record.keyId) ?? 0);
  }

  /**
   * The entry's record read under way, or a new one (kept only if no invalidation overtook it and
   * it is not older than a revision already read).
   */
  function readRecord(entry: CacheEntry, at: number): StateRead {
    const under = entry.refreshing;
    if (
      under !== null &&
      fresh(under.at, at, stateTtlMs) &&
      !invalidatedSince(entry.record, under.epoch)
    ) {
      return under;
    }
    const readAt = clock();
    const readEpoch = epoch;
    const promise = store.getKey(entry.record.keyId).then(
      (record) => {
        if (entry.refreshing === read) entry.refreshing = null;
        if (record !== null) noteRevision(record);
        // Ordered by revision and invalidation epoch, not by the clock (which can go back).
        if (
          record !== null &&
          !behind(record) &&
          !invalidatedSince(record, readEpoch) &&
          readEpoch >= entry.readEpoch
        ) {
          entry.record = record;
          entry.result = toVerifiedApiKey(record);
          entry.stateAt = readAt;
          entry.readEpoch = readEpoch;
        }
        return record;
      },
      (error: unknown) => {
        if (entry.refreshing === read) entry.refreshing = null;
        throw error;
      },
    );
    const read: StateRead = { at: readAt, epoch: readEpoch, promise };
    entry.refreshing = read;
    return read;
  }

  /**
   * The entry's record as it may be judged at `at`: the one it holds if that was asked for less
   * than `stateTtlMs` ago, no invalidation naming the key came since and no newer revision has been
   * read, else a new read — and another when an invalidation overtakes it (so a key changed
   * without pause still gets an answer) or it answers with an older revision than one already read
   * (a lagging replica: after {@link MAX_READS} reads the request fails closed, `STALE_STATE`).
   */
  async function judgedRecord(entry: CacheEntry, at: number): Promise<ApiKeyRecord | null> {
    for (let reads = 1; ; reads += 1) {
      if (
        fresh(entry.stateAt, at, stateTtlMs) &&
        !invalidatedSince(entry.record, entry.readEpoch) &&
        !behind(entry.record)
      ) {
        return entry.record;
      }
      const read = readRecord(entry, at);
      const record = await read.promise;
      if (record !== null && behind(record)) {
        if (reads >= MAX_READS) throw staleStateError(record.keyId);
      } else if (record === null || reads >= MAX_READS || !invalidatedSince(record, read.epoch)) {
        return record;
      }
      at = clock();
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

  /**
   * Admits one compare for `keyId` under the throttle, or refuses with `RATE_LIMITED`. Only
   * failures and compares in flight count; a success changes nothing anybody else can see.
   */
  function admit(keyId: string, now: number): void {
    if (throttle === null) return;
    let failed = 0;
    const seen = failures.get(keyId);
    if (seen !== undefined) {
      // Within the window (a clock that went back ends the window rather than stretching it).
      if (fresh(seen.since, now, throttle.windowMs)) failed = seen.count;
      else failures.delete(keyId);
    }
    if (failed + (comparingIds.get(keyId) ?? 0) >= throttle.limit) {
      throw new RateLimitedError(
        seen !== undefined && failed > 0 ? seen.since + throttle.windowMs - now : throttle.windowMs,
      );
    }
  }

  function countComparing(keyId: string, delta: 1 | -1): void {
    if (throttle === null) return;
    const next = (comparingIds.get(keyId) ?? 0) + delta;
    if (next > 0) comparingIds.set(keyId, next);
    else comparingIds.delete(keyId);
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

  /**
   * Looks up and compares a key this verifier has not proven: throttled, capped, and guarded.
   * `request`: where the key came from, for the guard (undefined for a bare `verify`).
   */
  async function coldVerify(
    key: string,
    parsed: ParsedApiKey,
    now: number,
    request: RequestLike | undefined,
  ): Promise<CacheEntry> {
    admit(parsed.keyId, now);
    if (comparing >= maxCompares) throw new VerifierBusyError();
    comparing += 1;
    countComparing(parsed.keyId, 1);
    const attempt: AuthenticationAttempt | undefined =
      guard === undefined ? undefined : { request, keyId: parsed.keyId };
    const readEpoch = epoch;
    let record: ApiKeyRecord | null;
    let matched: string | null = null;
    let readAt = now;
    try {
      // After the busy check, holding a slot: a request refused as busy costs the guard nothing.
      if (guard !== undefined && attempt !== undefined) await guard.check(attempt);
      readAt = clock();
      record = await store.getKey(parsed.keyId);
      if (record !== null) noteRevision(record);
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
      countComparing(parsed.keyId, -1);
    }
    if (record === null || matched === null) {
      recordFailure(parsed.keyId, now);
      tellGuard(attempt, 'failed');
      throw new UnauthenticatedError(NOT_VALID);
    }
    tellGuard(attempt, 'verified');
    return {
      env: parsed.env,
      record,
      verifiedHash: matched,
      // When the compare ended: it may have queued, and the entry's age counts from the proof.
      verifiedAt: clock(),
      bumpedAt: now,
      stateAt: readAt,
      readEpoch,
      refreshing: null,
      result: toVerifiedApiKey(record),
      rechecking: null,
    };
  }

  function enterLane(): Promise<void> | undefined {
    if (laneBusy < laneSize) {
      laneBusy += 1;
      return undefined;
    }
    return new Promise((resolve) => laneWaiting.push(resolve));
  }

  function leaveLane(): void {
    const next = laneWaiting.shift();
    // The slot passes straight to the next waiter; only an empty queue frees it.
    if (next === undefined) laneBusy -= 1;
    else next();
  }

  /**
   * Compares an aged entry's key again, in the proven-key lane (no throttle, no `maxCompares`).
   * Resolves whether it still matches; a mismatch drops the entry, a failure leaves it (and
   * rejects), so the next request tries again.
   */
  function recheck(entry: CacheEntry, cacheKey: string, key: string): Promise<boolean> {
    if (entry.rechecking !== null) return entry.rechecking;
    const run = (async () => {
      await enterLane();
      try {
        const began = clock();
        const matched = await hasher.verify(key, entry.verifiedHash);
        if (matched) entry.verifiedAt = began;
        else if (cache.get(cacheKey) === entry) cache.delete(cacheKey);
        return matched;
      } finally {
        leaveLane();
        entry.rechecking = null;
      }
    })();
    // Reported once here; a request that has to wait for it sees the failure itself.
    run.catch(report);
    entry.rechecking = run;
    return run;
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
      record.env !== entry.env ||
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
    if (await switchOn({ scope: 'global' }, now)) throw new KillSwitchError('global');
  }

  function authenticate(
    request: RequestLike,
    verifyOptions: VerifyApiKeyOptions = {},
  ): Promise<VerifiedApiKey> {
    // Not an async function: the hot path stays one promise deep.
    let key: string | null;
    try {
      key = readRequestApiKey(request, headerOptions);
    } catch (error) {
      return globalFirst(clock()).then(() => Promise.reject(error));
    }
    if (key === null) {
      const missing = new UnauthenticatedError(NOT_SENT, { details: { reason: 'missing' } });
      return globalFirst(clock()).then(() => Promise.reject(missing));
    }
    return verifyFrom(key, verifyOptions, request);
  }

  /**
   * Judges a verified key when its compare has ended (or, cached, when the request comes): the
   * global switch, then the key's record — re-read if it was asked for `stateTtlMs` or more ago, or
   * before an invalidation naming the key — then its organization's switch. Resolves null when the
   * hash the secret matched no longer authorizes it (rotated away, or gone); the entry is dropped.
   */
  async function decide(
    entry: CacheEntry,
    cacheKey: string | null,
    key: string,
    verifyOptions: VerifyApiKeyOptions,
  ): Promise<VerifiedApiKey | null> {
    // Aged past twice maxAgeMs: the request waits for the re-compare, and is judged after it (the
    // wait can be long; state read before it would be stale by the time it ends).
    if (
      cacheKey !== null &&
      olderThan(entry.verifiedAt, clock(), 2 * maxAgeMs) &&
      !(await recheck(entry, cacheKey, key))
    ) {
      return null;
    }
    await globalFirst(clock());
    const record = await judgedRecord(entry, clock());
    const orgKilled =
      record !== null &&
      (await switchOn({ scope: 'organization', organizationId: record.organizationId }, clock()));
    // The reads above may have waited (a slow store): what depends on the clock — the grace
    // period, the expiry — is judged after them.
    const decidedAt = clock();
    if (record === null || !hashStillValid(record, entry.verifiedHash, decidedAt)) {
      if (cacheKey !== null && cache.get(cacheKey) === entry) cache.delete(cacheKey);
      return null;
    }
    if (record.env !== entry.env) {
      // Only an imported record can disagree with its own key; the key is not what it says it is.
      throw new UnauthenticatedError(WRONG_ENV, {
        details: { keyId: record.keyId, reason: 'environment_mismatch' },
      });
    }
    if (record.revokedAt !== null) throw new RevokedKeyError(record.keyId);
    if (record.killed) throw new KillSwitchError('key', record.keyId);
    if (orgKilled) throw new KillSwitchError('organization', record.keyId);
    if (record.expiresAt !== null && decidedAt >= record.expiresAt) {
      throw new UnauthenticatedError('This API key has expired; use a current key.', {
        details: { keyId: record.keyId, reason: 'expired' },
      });
    }
    if (cacheKey !== null && !fresh(entry.verifiedAt, decidedAt, maxAgeMs)) {
      // Aged: compared again in the proven-key lane, in the background (failures are reported
      // there). Meanwhile the entry keeps answering, on the state just judged.
      void recheck(entry, cacheKey, key);
    }
    touch(record, decidedAt);
    checkScopes(record, verifyOptions);
    return record === entry.record ? entry.result : toVerifiedApiKey(record);
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
    if (cacheKey !== null) {
      const cached = cache.get(cacheKey);
      if (cached !== undefined) {
        bump(cacheKey, cached, now);
        const result = await decide(cached, cacheKey, key, verifyOptions);
        if (result !== null) return result;
        // Rotated away or gone: this exact key is now a stranger, compared (and throttled) cold.
      }
    }
    const parsed = parseApiKey(key, { prefix });
    if (parsed === null) throw new UnauthenticatedError(NOT_VALID);
    // Requests with the same key share one compare, cache or no cache: a partner's concurrent
    // requests are one compare in flight for the throttle, not one each.
    const joinKey = maxEntries > 0 ? cacheKey : cacheKeyOf(key);
    let pending = joinKey === null ? undefined : inflight.get(joinKey);
    if (pending === undefined) {
      pending = coldVerify(key, parsed, now, request);
      if (joinKey !== null) {
        const ours = pending;
        inflight.set(joinKey, ours);
        ours.then(
          (made) => {
            if (inflight.get(joinKey) === ours) inflight.delete(joinKey);
            if (cacheKey === null) return;
            // Invalidated while it compared: cached, but its state is re-read on first use.
            if (invalidatedSince(made.record, made.readEpoch))
              made.stateAt = Number.NEGATIVE_INFINITY;
            setBounded(cache, cacheKey, made, maxEntries);
          },
          () => {
            if (inflight.get(joinKey) === ours) inflight.delete(joinKey);
          },
        );
      }
    }
    let entry: CacheEntry;
    try {
      entry = await pending;
    } catch (error) {
      // A refused compare is decided when it ends too: with the global kill switch on by then,
      // the answer is 503 KILL_SWITCH, as for every other request.
      if (error instanceof UnauthenticatedError) await globalFirst(clock());
      throw error;
    }
    const result = await decide(entry, cacheKey, key, verifyOptions);
    if (result === null) throw new UnauthenticatedError(NOT_VALID);
    return result;
  }

  function invalidate(target: ApiKeyInvalidation = {}): void {
    epoch += 1;
    const { keyId, organizationId } = target;
    const everything = keyId === undefined && organizationId === undefined;
    if (everything) {
      everythingAt = epoch;
      globalSwitch.at = Number.NEGATIVE_INFINITY;
      globalSwitch.pending = null;
      orgSwitches.clear();
    } else if (keyId !== undefined) {
      rememberInvalidation(keyInvalidatedAt, keyId);
    } else if (organizationId !== undefined) {
      rememberInvalidation(orgInvalidatedAt, organizationId);
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
