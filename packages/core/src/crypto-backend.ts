/**
 * The primitive operations coffer needs from a crypto implementation. Two implementations exist:
 * `node:crypto` (OpenSSL) on Node and `@noble/*` elsewhere; they produce identical bytes. Inputs are
 * validated before they reach a backend, so backends trust their arguments.
 *
 * @internal Not exported from the package root.
 */
export interface CryptoBackend {
  readonly name: 'node' | 'noble';
  /** `length` random bytes, 0 to 1 MiB (the validating layer enforces the range). */
  randomBytes(length: number): Uint8Array;
  /**
   * Runs `clear` before this process is written into a V8 startup snapshot and again in every
   * process started from that snapshot; does nothing (and keeps no reference) otherwise.
   */
  onSnapshot(clear: () => void): void;
  sha256(data: Uint8Array): Uint8Array;
  sha256Hex(data: string | Uint8Array): string;
  hmacSha256(key: Uint8Array, data: Uint8Array | string): Uint8Array;
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /**
   * Returns `headroom` zero bytes, then ciphertext || 16-byte tag, in one allocation (a caller that
   * prefixes a header writes it into the headroom instead of copying the ciphertext).
   */
  aes256GcmSeal(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
    headroom: number,
  ): Uint8Array;
  /** Returns the plaintext, or `null` when authentication fails. */
  aes256GcmOpen(
    key: Uint8Array,
    nonce: Uint8Array,
    sealed: Uint8Array,
    aad: Uint8Array,
  ): Uint8Array | null;
  /** As {@link CryptoBackend.aes256GcmSeal}: `headroom` zero bytes, then ciphertext || tag. */
  xchacha20Poly1305Seal(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
    headroom: number,
  ): Uint8Array;
  xchacha20Poly1305Open(
    key: Uint8Array,
    nonce: Uint8Array,
    sealed: Uint8Array,
    aad: Uint8Array,
  ): Uint8Array | null;
}
