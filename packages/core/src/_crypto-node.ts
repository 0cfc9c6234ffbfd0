// The Node backend: node:crypto (OpenSSL, AES-NI). XChaCha20 has no OpenSSL cipher, so its subkey
// comes from noble's HChaCha20 and the AEAD itself runs in OpenSSL's ChaCha20-Poly1305.
import * as nodeCrypto from 'node:crypto';
import * as v8 from 'node:v8';
import { hchacha } from '@noble/ciphers/chacha.js';
import nobleBackend from './_crypto-noble.js';
import { registerSnapshotClear } from './_snapshot-hook.js';
import type { CryptoBackend } from './crypto-backend.js';

const TAG_LENGTH = 16;
const EMPTY = new Uint8Array(0);

// Runtimes that resolve the `node` condition but whose node:crypto lacks ChaCha20-Poly1305 (Bun, on
// BoringSSL) run XChaCha20-Poly1305 in noble instead: same bytes, everything else stays native.
const nativeChacha = ((): boolean => {
  try {
    nodeCrypto.createCipheriv(
      'chacha20-poly1305' as 'aes-256-gcm',
      new Uint8Array(32),
      new Uint8Array(12),
      { authTagLength: TAG_LENGTH },
    );
    return true;
  } catch {
    return false;
  }
})();

function view(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

const oneShotHash:
  | ((algorithm: string, data: string | Uint8Array, encoding: 'hex') => string)
  | undefined =
  typeof (nodeCrypto as { hash?: unknown }).hash === 'function'
    ? (nodeCrypto as unknown as { hash: (a: string, d: string | Uint8Array, e: 'hex') => string })
        .hash
    : undefined;

function gcmSeal(
  cipher: 'aes-256-gcm' | 'chacha20-poly1305',
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  headroom: number,
): Uint8Array {
  const c = nodeCrypto.createCipheriv(cipher as 'aes-256-gcm', key, nonce, {
    authTagLength: TAG_LENGTH,
  });
  if (aad.length > 0) c.setAAD(aad);
  // Large outputs skip the zero fill (every byte after the headroom is written below) and never come
  // from Buffer's shared pool, so `out.buffer` holds only this ciphertext.
  const length = headroom + plaintext.length + TAG_LENGTH;
  const out = length >= 4096 ? view(Buffer.allocUnsafeSlow(length)) : new Uint8Array(length);
  if (length >= 4096) out.fill(0, 0, headroom);
  const body = c.update(plaintext);
  out.set(body, headroom);
  const final = c.final();
  out.set(final, headroom + body.length);
  out.set(c.getAuthTag(), headroom + body.length + final.length);
  return out;
}

function gcmOpen(
  cipher: 'aes-256-gcm' | 'chacha20-poly1305',
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array | null {
  if (sealed.length < TAG_LENGTH) return null;
  const ctLength = sealed.length - TAG_LENGTH;
  const d = nodeCrypto.createDecipheriv(cipher as 'aes-256-gcm', key, nonce, {
    authTagLength: TAG_LENGTH,
  });
  d.setAuthTag(sealed.subarray(ctLength));
  if (aad.length > 0) d.setAAD(aad);
  try {
    const body = d.update(sealed.subarray(0, ctLength));
    const final = d.final();
    if (final.length === 0) return view(body);
    return view(Buffer.concat([body, final]));
  } catch {
    return null;
  }
}

const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);

function toWordsLE(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(bytes.length / 4);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < words.length; i++) words[i] = dv.getUint32(i * 4, true);
  return words;
}

/** HChaCha20 subkey and the 12-byte ChaCha20-Poly1305 nonce for an XChaCha20-Poly1305 nonce. */
function xchachaParts(key: Uint8Array, nonce: Uint8Array): [Uint8Array, Uint8Array] {
  const out = new Uint32Array(8);
  hchacha(SIGMA, toWordsLE(key), toWordsLE(nonce.subarray(0, 16)), out);
  const subkey = new Uint8Array(32);
  const dv = new DataView(subkey.buffer);
  for (let i = 0; i < 8; i++) dv.setUint32(i * 4, out[i] as number, true);
  out.fill(0);
  const chachaNonce = new Uint8Array(12);
  chachaNonce.set(nonce.subarray(16, 24), 4);
  return [subkey, chachaNonce];
}

function hkdfManual(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  const prk = nodeCrypto.createHmac('sha256', salt).update(ikm).digest();
  const out = new Uint8Array(length);
  let previous: Uint8Array = EMPTY;
  for (let i = 1, offset = 0; offset < length; i++) {
    const block = nodeCrypto
      .createHmac('sha256', prk)
      .update(previous)
      .update(info)
      .update(new Uint8Array([i]))
      .digest();
    out.set(block.subarray(0, Math.min(32, length - offset)), offset);
    offset += 32;
    previous = block;
  }
  prk.fill(0);
  return out;
}

function onSnapshot(clear: () => void): void {
  registerSnapshotClear((v8 as { startupSnapshot?: unknown }).startupSnapshot, clear);
}

const backend: CryptoBackend = {
  name: 'node',
  onSnapshot,
  randomBytes(length) {
    return nodeCrypto.randomFillSync(new Uint8Array(length));
  },
  sha256(data) {
    return view(nodeCrypto.createHash('sha256').update(data).digest());
  },
  sha256Hex(data) {
    if (oneShotHash !== undefined) return oneShotHash('sha256', data, 'hex');
    return nodeCrypto.createHash('sha256').update(data).digest('hex');
  },
  hmacSha256(key, data) {
    return view(nodeCrypto.createHmac('sha256', key).update(data).digest());
  },
  hkdfSha256(ikm, salt, info, length) {
    // OpenSSL's HKDF through Node caps `info` at 1024 bytes; longer infos use HMAC directly.
    if (info.length > 1024) return hkdfManual(ikm, salt, info, length);
    return new Uint8Array(nodeCrypto.hkdfSync('sha256', ikm, salt, info, length));
  },
  aes256GcmSeal(key, nonce, plaintext, aad, headroom) {
    return gcmSeal('aes-256-gcm', key, nonce, plaintext, aad, headroom);
  },
  aes256GcmOpen(key, nonce, sealed, aad) {
    return gcmOpen('aes-256-gcm', key, nonce, sealed, aad);
  },
  xchacha20Poly1305Seal(key, nonce, plaintext, aad, headroom) {
    if (!nativeChacha) {
      return nobleBackend.xchacha20Poly1305Seal(key, nonce, plaintext, aad, headroom);
    }
    const [subkey, chachaNonce] = xchachaParts(key, nonce);
    try {
      return gcmSeal('chacha20-poly1305', subkey, chachaNonce, plaintext, aad, headroom);
    } finally {
      subkey.fill(0);
    }
  },
  xchacha20Poly1305Open(key, nonce, sealed, aad) {
    if (!nativeChacha) return nobleBackend.xchacha20Poly1305Open(key, nonce, sealed, aad);
    const [subkey, chachaNonce] = xchachaParts(key, nonce);
    try {
      return gcmOpen('chacha20-poly1305', subkey, chachaNonce, sealed, aad);
    } finally {
      subkey.fill(0);
    }
  },
};

export default backend;
