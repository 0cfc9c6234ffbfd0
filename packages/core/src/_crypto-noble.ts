// The portable backend: @noble/ciphers and @noble/hashes, for runtimes without node:crypto
// (Bun and Deno use it too unless they resolve the `node` condition; browsers; Workers).
import { gcm } from '@noble/ciphers/aes.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import type { CryptoBackend } from './crypto-backend.js';
import { toHex } from './hex.js';
import { utf8Encode } from './utf8.js';

const TAG_LENGTH = 16;
// crypto.getRandomValues, under noble's randomBytes, fills at most 65,536 bytes per call.
const RANDOM_CHUNK = 65_536;

function bytesOf(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? utf8Encode(data) : data;
}

function tryOpen(open: () => Uint8Array): Uint8Array | null {
  try {
    return open();
  } catch {
    return null;
  }
}

const backend: CryptoBackend = {
  name: 'noble',
  randomBytes(length) {
    if (length <= RANDOM_CHUNK) return randomBytes(length);
    const out = new Uint8Array(length);
    for (let at = 0; at < length; at += RANDOM_CHUNK) {
      out.set(randomBytes(Math.min(RANDOM_CHUNK, length - at)), at);
    }
    return out;
  },
  // Runtimes without node:v8 take no startup snapshots of a running program.
  onSnapshot() {},
  sha256(data) {
    return sha256(data);
  },
  sha256Hex(data) {
    return toHex(sha256(bytesOf(data)));
  },
  hmacSha256(key, data) {
    return hmac(sha256, key, bytesOf(data));
  },
  hkdfSha256(ikm, salt, info, length) {
    return hkdf(sha256, ikm, salt, info, length);
  },
  aes256GcmSeal(key, nonce, plaintext, aad) {
    return gcm(key, nonce, aad).encrypt(plaintext);
  },
  aes256GcmOpen(key, nonce, sealed, aad) {
    if (sealed.length < TAG_LENGTH) return null;
    return tryOpen(() => gcm(key, nonce, aad).decrypt(sealed));
  },
  xchacha20Poly1305Seal(key, nonce, plaintext, aad) {
    return xchacha20poly1305(key, nonce, aad).encrypt(plaintext);
  },
  xchacha20Poly1305Open(key, nonce, sealed, aad) {
    if (sealed.length < TAG_LENGTH) return null;
    return tryOpen(() => xchacha20poly1305(key, nonce, aad).decrypt(sealed));
  },
};

export default backend;
