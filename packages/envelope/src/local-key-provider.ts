// The local key provider: KEKs from a Keyring in process memory. Each data key is wrapped under a
// per-seal key derived from the KEK and a random 24-byte seed (HKDF-Expand, RFC 5869), so a KEK
// never encrypts anything itself and no (key, nonce) pair repeats (docs/envelope-format.md).
import {
  aes256GcmOpen,
  aes256GcmSeal,
  DecryptionError,
  hmacSha256,
  InvalidInputError,
  utf8Encode,
} from '@coffer/core';
import { takeRandom } from './_random-pool.js';
import { InvalidKeyringError, RetiredKekError, UnknownKekError } from './errors.js';
import type { KeyProvider, KeyStatus, WrappedKey } from './key-provider.js';
import { Keyring, keyringEntry } from './keyring.js';

const LABEL = utf8Encode('coffer/envelope/v1/local-wrap');
const SEED_LENGTH = 24;
const DEK_LENGTH = 32;
const WRAP_TAG_LENGTH = 16;
/** @internal Bytes of a locally wrapped data key: seed 24 + encrypted DEK 32 + tag 16. */
export const LOCAL_WRAPPED_LENGTH: number = SEED_LENGTH + DEK_LENGTH + WRAP_TAG_LENGTH;
const ZERO_NONCE = new Uint8Array(12);

/** @internal Synchronous operations of a local provider, used by the envelope's fast path. */
export interface LocalProviderOps {
  readonly primaryKekId: string;
  /** Writes seed || wrapped DEK (LOCAL_WRAPPED_LENGTH bytes) at `out[offset]`. */
  wrapInto(dek: Uint8Array, aad: Uint8Array, out: Uint8Array, offset: number): void;
  unwrap(kekId: string, wrapped: Uint8Array, aad: Uint8Array): Uint8Array;
}

const localOps = new WeakMap<object, LocalProviderOps>();

/** @internal The synchronous operations behind a provider made by createLocalKeyProvider. */
export function localProviderOps(provider: KeyProvider): LocalProviderOps | undefined {
  return localOps.get(provider);
}

/** HKDF-Expand(PRK = KEK, info = LABEL || 0 || len(kekId) || kekId || seed, L = 32): one HMAC block. */
function deriveWrappingKey(kek: Uint8Array, infoPrefix: Uint8Array, seed: Uint8Array): Uint8Array {
  const input = new Uint8Array(infoPrefix.length + SEED_LENGTH + 1);
  input.set(infoPrefix, 0);
  input.set(seed, infoPrefix.length);
  input[input.length - 1] = 1;
  return hmacSha256(kek, input);
}

function infoPrefixOf(kekId: string): Uint8Array {
  const id = utf8Encode(kekId);
  const prefix = new Uint8Array(LABEL.length + 2 + id.length);
  prefix.set(LABEL, 0);
  prefix[LABEL.length] = 0;
  prefix[LABEL.length + 1] = id.length;
  prefix.set(id, LABEL.length + 2);
  return prefix;
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

/**
 * A {@link KeyProvider} over a {@link Keyring} in process memory. Seals under the keyring's primary
 * key; opens and rewraps from `primary` and `active` keys; refuses `retired` (`RETIRED_KEK`) and
 * missing (`UNKNOWN_KEK`) keys. It runs synchronously inside the async API, so an envelope over it
 * costs no extra event-loop turns. A locally wrapped data key takes 72 bytes.
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
 * const keyring = Keyring.fromEnv('*1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE');
 * const provider = createLocalKeyProvider(keyring);
 * const envelope = createEnvelope({ provider });
 * const sealed = await envelope.seal('token', { context: { vaultId: 'v_1' } });
 * new TextDecoder().decode(await envelope.open(sealed, { context: { vaultId: 'v_1' } })); // 'token'
 * ```
 */
export function createLocalKeyProvider(keyring: Keyring): KeyProvider {
  if (!(keyring instanceof Keyring)) {
    throw new InvalidKeyringError(
      'createLocalKeyProvider expects a Keyring; build one with Keyring.fromEnv() or Keyring.fromKeys().',
    );
  }
  const primaryKekId = keyring.primaryKekId;
  const prefixes = new Map<string, Uint8Array>();
  const prefixOf = (kekId: string): Uint8Array => {
    let prefix = prefixes.get(kekId);
    if (prefix === undefined) {
      prefix = infoPrefixOf(kekId);
      prefixes.set(kekId, prefix);
    }
    return prefix;
  };
  const primary = keyringEntry(keyring, primaryKekId);
  if (primary === undefined) throw new UnknownKekError(primaryKekId);
  const primaryKey = primary.key;
  const primaryPrefix = prefixOf(primaryKekId);

  const ops: LocalProviderOps = {
    primaryKekId,
    wrapInto(dek, aad, out, offset) {
      const seed = takeRandom(SEED_LENGTH);
      const wrappingKey = deriveWrappingKey(primaryKey, primaryPrefix, seed);
      try {
        out.set(seed, offset);
        out.set(aes256GcmSeal(wrappingKey, ZERO_NONCE, dek, aad), offset + SEED_LENGTH);
      } finally {
        wrappingKey.fill(0);
      }
    },
    unwrap(kekId, wrapped, aad) {
      const entry = keyringEntry(keyring, kekId);
      if (entry === undefined) throw new UnknownKekError(kekId);
      if (entry.status === 'retired') throw new RetiredKekError(kekId);
      if (wrapped.length !== LOCAL_WRAPPED_LENGTH) throw new DecryptionError();
      const wrappingKey = deriveWrappingKey(
        entry.key,
        prefixOf(kekId),
        wrapped.subarray(0, SEED_LENGTH),
      );
      try {
        return aes256GcmOpen(wrappingKey, ZERO_NONCE, wrapped.subarray(SEED_LENGTH), aad);
      } finally {
        wrappingKey.fill(0);
      }
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
