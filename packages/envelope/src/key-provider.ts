// The extension point: where key-encryption keys live (memory, a KMS, Vault Transit …).

/**
 * Status of a key-encryption key in a provider: `primary` (seals), `active` (opens and rewraps
 * from), `retired` (refused with `RETIRED_KEK`) or `unknown` (refused with `UNKNOWN_KEK`).
 *
 * @example
 * ```ts
 * import { generateKek, Keyring, type KeyStatus } from '@coffer/envelope';
 *
 * const status: KeyStatus = Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]).status('1'); // 'primary'
 * ```
 */
export type KeyStatus = 'primary' | 'active' | 'retired' | 'unknown';

/**
 * A data key wrapped by a {@link KeyProvider}: what `wrapKey` returns.
 *
 * @example
 * ```ts
 * import { createLocalKeyProvider, generateKek, Keyring, type WrappedKey } from '@coffer/envelope';
 *
 * const provider = createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]));
 * const wrapped: WrappedKey = await provider.wrapKey(new Uint8Array(32), new Uint8Array(0));
 * wrapped.kekId; // '1'
 * wrapped.wrapped.length; // 72
 * ```
 */
export interface WrappedKey {
  /** Id of the KEK that wrapped the data key: 1-255 visible ASCII characters. */
  kekId: string;
  /** The wrapped data key, 1 to 65535 bytes, opaque to the envelope. */
  wrapped: Uint8Array;
}

/**
 * Where key-encryption keys (KEKs) live and how data keys (DEKs) are wrapped under them. The
 * envelope calls it once per seal (`wrapKey`) and once per open (`unwrapKey`); it never sees a KEK.
 * Ship-ready: {@link createLocalKeyProvider} (keys in memory). A KMS provider implements the same
 * four methods; the contract it must keep is in docs/envelope-format.md ("Key providers"):
 *
 * - `wrapKey` wraps under the key `primaryKekId()` names and authenticates `aad` with it; the
 *   envelope puts that KEK id into `aad` and checks the returned `kekId` matches.
 * - `unwrapKey` returns the DEK only if `wrapped` was produced by `wrapKey` under `kekId` with
 *   byte-identical `aad`; otherwise it throws (`DECRYPT_FAILED` from `@coffer/core`'s
 *   `DecryptionError`, `UNKNOWN_KEK`, `RETIRED_KEK`). It must never return a DEK for other aad.
 * - It never logs or keeps the DEK, and throws coffer errors (non-coffer errors are replaced by
 *   `KEY_PROVIDER_FAILED`).
 *
 * @example
 * ```ts
 * import { createLocalKeyProvider, generateKek, Keyring, type KeyProvider } from '@coffer/envelope';
 *
 * const provider: KeyProvider = createLocalKeyProvider(
 *   Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
 * );
 * await provider.primaryKekId(); // '1'
 * ```
 */
export interface KeyProvider {
  /** A short name for errors and logs, e.g. `local` or `aws-kms`. */
  readonly name: string;
  /** Id of the KEK new data keys are wrapped under. */
  primaryKekId(): Promise<string> | string;
  /** Status of a KEK: `primary`, `active` (opens, not used to seal), `retired` or `unknown`. */
  keyStatus(kekId: string): Promise<KeyStatus> | KeyStatus;
  /** Wraps a 32-byte data key under the primary KEK, authenticating `aad`. */
  wrapKey(dek: Uint8Array, aad: Uint8Array): Promise<WrappedKey>;
  /** Unwraps a data key wrapped under `kekId` with the same `aad`; throws on any mismatch. */
  unwrapKey(kekId: string, wrapped: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
}
