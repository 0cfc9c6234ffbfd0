// The portable backend: @noble/ciphers and @noble/hashes, for runtimes without node:crypto
// (Bun and Deno use it too unless they resolve the `node` condition; browsers; Workers).
import { gcm } from '@noble/ciphers/aes.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { registerSnapshotClear, runtimeStartupSnapshot } from './_snapshot-hook.js';
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

/** `headroom` zero bytes, then `sealed` (one copy, only when headroom was asked for). */
function withHeadroom(sealed: Uint8Array, headroom: number): Uint8Array {
  if (headroom === 0) return sealed;
  const out = new Uint8Array(headroom + sealed.length);
  out.set(sealed, headroom);
  return out;
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
  // This backend also runs on Node (a bundle built without the `node` condition), where a startup
  // snapshot copies the heap as it does under the node backend: use node:v8's hooks when the
  // runtime has them. Runtimes without node:v8 take no startup snapshots of a running program.
  onSnapshot(clear) {
    registerSnapshotClear(runtimeStartupSnapshot(), clear);
  },
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
  aes256GcmSeal(key, nonce, plaintext, aad, headroom) {
    return withHeadroom(gcm(key, nonce, aad).encrypt(plaintext), headroom);
  },
  aes256GcmOpen(key, nonce, sealed, aad) {
    if (sealed.length < TAG_LENGTH) return null;
    return tryOpen(() => gcm(key, nonce, aad).decrypt(sealed));
  },
  xchacha20Poly1305Seal(key, nonce, plaintext, aad, headroom) {
    return withHeadroom(xchacha20poly1305(key, nonce, aad).encrypt(plaintext), headroom);
  },
  xchacha20Poly1305Open(key, nonce, sealed, aad) {
    if (sealed.length < TAG_LENGTH) return null;
    return tryOpen(() => xchacha20poly1305(key, nonce, aad).decrypt(sealed));
  },
};

export default backend;
