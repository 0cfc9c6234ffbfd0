// The local key provider: KEKs from a Keyring in process memory. A KEK never encrypts anything
// itself: data keys are wrapped with AES-256-GCM under a wrapping key derived from the KEK and a
// random 20-byte seed (HKDF-Expand, RFC 5869). One derived key serves a "session" of up to 2^24
// wraps with a counter nonce, so no (key, nonce) pair repeats unless two sessions draw the same
// 160-bit seed. Bounds and layout: docs/envelope-format.md.
//
// A session (seed, wrapping key, counter) must belong to one process: two processes continuing the
// same session would wrap under the same (key, nonce). A V8 startup snapshot copies the heap into
// every process started from it, so sessions and cached keys are dropped (and zeroed) when one is
// taken, through onProcessSnapshot; seeds come straight from the system CSPRNG, never from a pool.
import {
  aes256GcmOpen,
  aes256GcmSeal,
  DecryptionError,
  hmacSha256,
  InvalidInputError,
  onProcessSnapshot,
  randomBytes,
  utf8Encode,
} from '@coffer/core';
import { InvalidKeyringError, RetiredKekError, UnknownKekError } from './errors.js';
import type { KeyProvider, KeyStatus, WrappedKey } from './key-provider.js';
import { Keyring, keyringEntry } from './keyring.js';

const LABEL = utf8Encode('coffer/envelope/v1/local-wrap');
const SEED_LENGTH = 20;
const COUNTER_LENGTH = 4;
const DEK_LENGTH = 32;
const WRAP_TAG_LENGTH = 16;
/** @internal Bytes of a locally wrapped data key: seed 20 + counter 4 + encrypted DEK 32 + tag 16. */
export const LOCAL_WRAPPED_LENGTH: number =
  SEED_LENGTH + COUNTER_LENGTH + DEK_LENGTH + WRAP_TAG_LENGTH;
/** Wraps per derived wrapping key before a new seed is drawn. */
const SESSION_WRAP_LIMIT = 2 ** 24;
/** Derived wrapping keys kept per provider for opening (FIFO); evicted keys are zeroed. */
const OPEN_CACHE_SIZE = 256;

/** @internal Limits of a local provider; tests shrink them to reach rotation and eviction. */
export interface LocalProviderLimits {
  sessionWrapLimit: number;
  openCacheSize: number;
}

/** @internal Synchronous operations of a local provider, used by the envelope's fast path. */
export interface LocalProviderOps {
  readonly primaryKekId: string;
  /** Writes the wrapped DEK (LOCAL_WRAPPED_LENGTH bytes) at `out[offset]`. */
  wrapInto(dek: Uint8Array, aad: Uint8Array, out: Uint8Array, offset: number): void;
  unwrap(kekId: string, wrapped: Uint8Array, aad: Uint8Array): Uint8Array;
}

const localOps = new WeakMap<object, LocalProviderOps>();

/** @internal The synchronous operations behind a provider made by createLocalKeyProvider. */
export function localProviderOps(provider: KeyProvider): LocalProviderOps | undefined {
  return localOps.get(provider);
}

/**
 * HKDF-Expand(PRK = KEK, info = LABEL || 0x00 || len(kekId) || kekId || seed, L = 32), which is
 * one HMAC block: HMAC-SHA-256(KEK, info || 0x01). The KEK is a uniformly random 32-byte key, so
 * it serves as the PRK directly (RFC 5869 §3.3).
 */
function deriveWrappingKey(kek: Uint8Array, kekId: string, seed: Uint8Array): Uint8Array {
  const id = utf8Encode(kekId);
  const input = new Uint8Array(LABEL.length + 2 + id.length + SEED_LENGTH + 1);
  input.set(LABEL, 0);
  input[LABEL.length] = 0;
  input[LABEL.length + 1] = id.length;
  input.set(id, LABEL.length + 2);
  input.set(seed, LABEL.length + 2 + id.length);
  input[input.length - 1] = 1;
  return hmacSha256(kek, input);
}

/** The 12-byte GCM nonce of a wrap: 8 zero bytes, then the 4-byte big-endian session counter. */
function nonceOf(counter: Uint8Array): Uint8Array {
  const nonce = new Uint8Array(12);
  nonce.set(counter, 8);
  return nonce;
}

/** Equality of two public seeds (not secret, so no constant-time compare needed). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function cacheKeyOf(kekId: string, seed: Uint8Array): string {
  return `${kekId}\u0000${String.fromCharCode(...seed)}`;
}

function assertBytes(value: unknown, name: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array) || (length !== undefined && value.length !== length)) {
    throw new InvalidInputError(
      length === undefined
        ? `${name} must be a Uint8Array`
        : `${name} must be a ${length}-byte Uint8Array`,
      { details: { parameter: name } },
    );
  }
}

interface Session {
  readonly seed: Uint8Array;
  readonly key: Uint8Array;
  count: number;
}

/**
 * A {@link KeyProvider} over a {@link Keyring} in process memory. Seals under the keyring's primary
 * key; opens and rewraps from `primary` and `active` keys; refuses `retired` (`RETIRED_KEK`) and
 * missing (`UNKNOWN_KEK`) keys. It runs synchronously inside the async API, so an envelope over it
 * costs no extra event-loop turns. A locally wrapped data key takes 72 bytes. It keeps the
 * wrapping keys it derives (at most 257, each 32 bytes, zeroed on eviction) so values sealed by
 * the same process open without re-deriving.
 *
 * For per-tenant keys, make one provider per tenant keyring and pass it per call
 * (`seal(…, { provider })`).
 *
 * @param keyring The keys. Rotating means building a new keyring and a new provider.
 * @returns A provider named `local`.
 * @throws {InvalidKeyringError} `INVALID_KEYRING` when `keyring` is not a {@link Keyring}.
 * @example
 * ```ts
 * import { createEnvelope, createLocalKeyProvider, Keyring } from '@coffer/envelope';
 *
 * const keyring = Keyring.fromEnv(process.env.COFFER_MASTER_KEYS, { variable: 'COFFER_MASTER_KEYS' });
 * const provider = createLocalKeyProvider(keyring);
 * const envelope = createEnvelope({ provider });
 * const sealed = await envelope.seal('token', { context: { vaultId: 'v_1' } });
 * new TextDecoder().decode(await envelope.open(sealed, { context: { vaultId: 'v_1' } })); // 'token'
 * ```
 */
export function createLocalKeyProvider(keyring: Keyring): KeyProvider {
  return createLocalKeyProviderWithLimits(keyring, {
    sessionWrapLimit: SESSION_WRAP_LIMIT,
    openCacheSize: OPEN_CACHE_SIZE,
  });
}

/** @internal {@link createLocalKeyProvider} with its limits given (tests only). */
export function createLocalKeyProviderWithLimits(
  keyring: Keyring,
  limits: LocalProviderLimits,
): KeyProvider {
  if (!(keyring instanceof Keyring)) {
    throw new InvalidKeyringError(
      'createLocalKeyProvider expects a Keyring; build one with Keyring.fromEnv() or Keyring.fromKeys().',
    );
  }
  const primaryKekId = keyring.primaryKekId;
  const primary = keyringEntry(keyring, primaryKekId);
  if (primary === undefined) throw new UnknownKekError(primaryKekId);
  const primaryKey = primary.key;
  // Derived wrapping keys by (KEK id, seed), for opening; insertion-ordered for FIFO eviction.
  const openCache = new Map<string, Uint8Array>();
  let session: Session | undefined;

  const remember = (cacheKey: string, key: Uint8Array): void => {
    if (openCache.size >= limits.openCacheSize) {
      const oldest = openCache.keys().next().value;
      if (oldest !== undefined) {
        openCache.get(oldest)?.fill(0);
        openCache.delete(oldest);
      }
    }
    openCache.set(cacheKey, key);
  };

  // A snapshot of this process must carry no session and no derived key: each process started
  // from it draws its own seed. (A no-op unless this process is building a startup snapshot.)
  onProcessSnapshot(() => {
    session?.key.fill(0);
    session = undefined;
    for (const key of openCache.values()) key.fill(0);
    openCache.clear();
  });

  // Drawn lazily (never at import), so a process snapshot taken before the first seal holds none.
  const currentSession = (): Session => {
    if (session === undefined || session.count >= limits.sessionWrapLimit) {
      if (session !== undefined) remember(cacheKeyOf(primaryKekId, session.seed), session.key);
      const seed = randomBytes(SEED_LENGTH);
      const key = deriveWrappingKey(primaryKey, primaryKekId, seed);
      session = { seed, key, count: 0 };
    }
    return session;
  };

  const ops: LocalProviderOps = {
    primaryKekId,
    wrapInto(dek, aad, out, offset) {
      const current = currentSession();
      const count = current.count++;
      const counter = new Uint8Array([
        count >>> 24,
        (count >>> 16) & 0xff,
        (count >>> 8) & 0xff,
        count & 0xff,
      ]);
      out.set(current.seed, offset);
      out.set(counter, offset + SEED_LENGTH);
      out.set(
        aes256GcmSeal(current.key, nonceOf(counter), dek, aad),
        offset + SEED_LENGTH + COUNTER_LENGTH,
      );
    },
    unwrap(kekId, wrapped, aad) {
      const entry = keyringEntry(keyring, kekId);
      if (entry === undefined) throw new UnknownKekError(kekId);
      if (entry.status === 'retired') throw new RetiredKekError(kekId);
      if (wrapped.length !== LOCAL_WRAPPED_LENGTH) throw new DecryptionError();
      const seed = wrapped.subarray(0, SEED_LENGTH);
      let key: Uint8Array | undefined;
      if (session !== undefined && kekId === primaryKekId && sameBytes(seed, session.seed)) {
        key = session.key;
      } else {
        const cacheKey = cacheKeyOf(kekId, seed);
        key = openCache.get(cacheKey);
        if (key === undefined) {
          key = deriveWrappingKey(entry.key, kekId, seed);
          remember(cacheKey, key);
        }
      }
      const counter = wrapped.subarray(SEED_LENGTH, SEED_LENGTH + COUNTER_LENGTH);
      return aes256GcmOpen(
        key,
        nonceOf(counter),
        wrapped.subarray(SEED_LENGTH + COUNTER_LENGTH),
        aad,
      );
    },
  };

  const provider: KeyProvider = {
    name: 'local',
    primaryKekId(): string {
      return primaryKekId;
    },
    keyStatus(kekId: string): KeyStatus {
      return keyring.status(kekId);
    },
    async wrapKey(dek: Uint8Array, aad: Uint8Array): Promise<WrappedKey> {
      assertBytes(dek, 'dek', DEK_LENGTH);
      assertBytes(aad, 'aad');
      const wrapped = new Uint8Array(LOCAL_WRAPPED_LENGTH);
      ops.wrapInto(dek, aad, wrapped, 0);
      return { kekId: primaryKekId, wrapped };
    },
    async unwrapKey(kekId: string, wrapped: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
      if (typeof kekId !== 'string') {
        throw new InvalidInputError('kekId must be a string', { details: { parameter: 'kekId' } });
      }
      assertBytes(wrapped, 'wrapped');
      assertBytes(aad, 'aad');
      return ops.unwrap(kekId, wrapped, aad);
    },
  };
  Object.freeze(provider);
  localOps.set(provider, ops);
  return provider;
}
