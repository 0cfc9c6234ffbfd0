// Bun resolves the `node` condition, but its node:crypto (BoringSSL) has no chacha20-poly1305
// cipher. The Node backend must then still seal and open XChaCha20-Poly1305, with the same bytes.
import * as realCrypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import nobleBackend from '../src/_crypto-noble.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  const refuse = (name: string) => {
    if (name === 'chacha20-poly1305') throw new Error('Unknown cipher');
  };
  return {
    ...original,
    getCiphers: () => original.getCiphers().filter((c) => c !== 'chacha20-poly1305'),
    createCipheriv: (name: string, ...rest: unknown[]) => {
      refuse(name);
      return (original.createCipheriv as (...a: unknown[]) => unknown)(name, ...rest);
    },
    createDecipheriv: (name: string, ...rest: unknown[]) => {
      refuse(name);
      return (original.createDecipheriv as (...a: unknown[]) => unknown)(name, ...rest);
    },
  };
});

describe('the node backend on a node:crypto without chacha20-poly1305 (Bun)', () => {
  it('seals and opens XChaCha20-Poly1305 with the bytes noble gives; AES-GCM stays native', async () => {
    const { default: backend } = await import('../src/_crypto-node.js');
    const key = realCrypto.randomBytes(32);
    const nonce = realCrypto.randomBytes(24);
    const plaintext = realCrypto.randomBytes(300);
    const aad = realCrypto.randomBytes(5);
    const sealed = backend.xchacha20Poly1305Seal(key, nonce, plaintext, aad, 0);
    expect(sealed).toEqual(nobleBackend.xchacha20Poly1305Seal(key, nonce, plaintext, aad, 0));
    expect(backend.xchacha20Poly1305Seal(key, nonce, plaintext, aad, 7)).toEqual(
      nobleBackend.xchacha20Poly1305Seal(key, nonce, plaintext, aad, 7),
    );
    expect(backend.xchacha20Poly1305Open(key, nonce, sealed, aad)).toEqual(
      new Uint8Array(plaintext),
    );
    sealed[0] = (sealed[0] ?? 0) ^ 1;
    expect(backend.xchacha20Poly1305Open(key, nonce, sealed, aad)).toBeNull();
    const gcmNonce = realCrypto.randomBytes(12);
    expect(backend.aes256GcmSeal(key, gcmNonce, plaintext, aad, 0)).toEqual(
      nobleBackend.aes256GcmSeal(key, gcmNonce, plaintext, aad, 0),
    );
  });
});
