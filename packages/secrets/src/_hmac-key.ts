// The HMAC key of a secret version: the UTF-8 bytes of a text secret (as Stripe uses a `whsec_…`
// string, so a receiver on any stack can verify with the text it was given), or the bytes of a
// bytes secret. Derived once per version object and kept beside it; never exposed.
import { utf8Encode } from '@coffer/core';
import type { SecretVersion } from './_snapshot.js';
import { SecretFormatError } from './errors.js';

/** RFC 2104 / RFC 7518 §3.2: an HMAC-SHA-256 key should be at least as long as the hash. */
export const MIN_HMAC_KEY_BYTES = 32;

const keys = new WeakMap<object, Uint8Array>();

/**
 * The key bytes of `version`.
 *
 * @throws {SecretFormatError} `SECRET_INVALID_FORMAT` when the value is shorter than 32 bytes.
 */
export function hmacKeyOf(secret: string, version: SecretVersion<string | Uint8Array>): Uint8Array {
  let key = keys.get(version);
  if (key === undefined) {
    const value = version.value.expose();
    key = typeof value === 'string' ? utf8Encode(value) : value;
    if (key.length < MIN_HMAC_KEY_BYTES) {
      key.fill(0);
      throw new SecretFormatError(
        secret,
        `is shorter than the ${MIN_HMAC_KEY_BYTES} bytes a signing key needs`,
      );
    }
    keys.set(version, key);
  }
  return key;
}
