export { fromBase32Crockford, toBase32Crockford } from './base32-crockford.js';
export { fromBase64Url, toBase64Url } from './base64url.js';
export { concatBytes } from './bytes.js';
export { constantTimeEqual, constantTimeEqualString } from './constant-time.js';
export {
  type AeadSealOptions,
  aes256GcmOpen,
  aes256GcmSeal,
  cryptoBackend,
  type HkdfOptions,
  hkdfSha256,
  hmacSha256,
  hmacSha256Hex,
  randomBytes,
  sha256,
  sha256Hex,
  xchacha20Poly1305Open,
  xchacha20Poly1305Seal,
} from './crypto.js';
export {
  CofferError,
  type CofferErrorJson,
  type CofferErrorOptions,
  DecryptionError,
  EncodingError,
  InvalidInputError,
  isCofferError,
} from './errors.js';
export { fromHex, toHex } from './hex.js';
export { onProcessSnapshot } from './process-snapshot.js';
export { Redacted, redact } from './redacted.js';
export { utf8Decode, utf8Encode } from './utf8.js';
