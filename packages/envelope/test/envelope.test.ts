import { isCofferError, utf8Encode } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  createEnvelope,
  createLocalKeyProvider,
  type EnvelopeAlgorithm,
  inspectSealed,
  Keyring,
} from '../src/index.js';
import { envelopeFor, envKey, rejection, rejectionCode, text } from './_helpers.js';

const ALGORITHMS: EnvelopeAlgorithm[] = ['aes-256-gcm', 'xchacha20-poly1305'];
const context = { vaultId: 'v_1', tenant: 'acme', purpose: 'meta-capi' };

describe('seal and open', () => {
  const envelope = envelopeFor(`*1:${envKey(0x41)}`);

  for (const algorithm of ALGORITHMS) {
    it(`round-trips bytes and strings (${algorithm})`, async () => {
      const bytes = new Uint8Array([0, 1, 2, 255]);
      const sealed = await envelope.seal(bytes, { context, algorithm });
      expect(await envelope.open(sealed, { context })).toEqual(bytes);
      const fromString = await envelope.seal('EAAG-token-ü-🔑', { context, algorithm });
      expect(text(await envelope.open(fromString, { context }))).toBe('EAAG-token-ü-🔑');
      const asText = await envelope.sealToString('x', { context, algorithm });
      expect(asText).toMatch(/^cf1\.[A-Za-z0-9_-]+$/);
      expect(text(await envelope.openString(asText, { context }))).toBe('x');
      expect(inspectSealed(asText).algorithm).toBe(algorithm);
    });

    it(`adds exactly 94 bytes with a one-character KEK id, +1 per extra id character (${algorithm})`, async () => {
      for (const size of [0, 1, 255, 4096]) {
        const sealed = await envelope.seal(new Uint8Array(size), { context, algorithm });
        expect(sealed.length - size).toBe(94);
      }
      const longId = envelopeFor(`*tenant-42:${envKey(0x42)}`);
      const sealed = await longId.seal(new Uint8Array(10), { context, algorithm });
      expect(sealed.length - 10).toBe(94 + 'tenant-42'.length - 1);
    });
  }

  it('seals with AES-256-GCM unless told otherwise', async () => {
    expect(inspectSealed(await envelope.seal('x', { context })).algorithm).toBe('aes-256-gcm');
    const chacha = createEnvelope({
      provider: createLocalKeyProvider(Keyring.fromEnv(`*1:${envKey(0x41)}`)),
      algorithm: 'xchacha20-poly1305',
    });
    const sealed = await chacha.seal('x', { context });
    expect(inspectSealed(sealed).algorithm).toBe('xchacha20-poly1305');
    expect(
      inspectSealed(await chacha.seal('x', { context, algorithm: 'aes-256-gcm' })).algorithm,
    ).toBe('aes-256-gcm');
    // Either envelope opens either algorithm: the algorithm travels in the header.
    expect(text(await envelope.open(sealed, { context }))).toBe('x');
  });

  it('uses a fresh data key for every seal of the same value', async () => {
    const a = await envelope.seal('same', { context });
    const b = await envelope.seal('same', { context });
    expect(a).not.toEqual(b);
    // Same session seed, consecutive wrap counters, different payloads.
    expect(a.subarray(6, 26)).toEqual(b.subarray(6, 26));
    const counter = (s: Uint8Array) => new DataView(s.buffer, s.byteOffset + 26, 4).getUint32(0);
    expect(counter(b)).toBe(counter(a) + 1);
    expect(a.subarray(a.length - 20)).not.toEqual(b.subarray(b.length - 20));
  });

  it('returns a fresh array the caller may keep and change', async () => {
    const sealed = await envelope.seal('keep', { context });
    const copy = sealed.slice();
    await envelope.seal('other', { context });
    expect(sealed).toEqual(copy);
    expect(sealed.byteOffset).toBe(0);
    expect(sealed.buffer.byteLength).toBe(sealed.length);
  });

  it('returns plain, exactly sized Uint8Arrays (not Buffers) for small and large values', async () => {
    for (const size of [0, 100, 4001, 4002, 65536]) {
      const plaintext = new Uint8Array(size).fill(0x5c);
      const sealed = await envelope.seal(plaintext, { context });
      expect(Object.getPrototypeOf(sealed)).toBe(Uint8Array.prototype);
      expect(sealed.byteOffset).toBe(0);
      expect(sealed.buffer.byteLength).toBe(size + 94);
      expect(await envelope.open(sealed, { context })).toEqual(plaintext);
      const rotated = envelopeFor(`*2:${envKey(0x42)},1:${envKey(0x41)}`);
      const rewrapped = await rotated.rewrap(sealed, { context });
      expect(Object.getPrototypeOf(rewrapped)).toBe(Uint8Array.prototype);
      expect(rewrapped.buffer.byteLength).toBe(size + 94);
      expect(await rotated.open(rewrapped, { context })).toEqual(plaintext);
    }
  });
});

describe('context binding', () => {
  const envelope = envelopeFor(`*1:${envKey(0x41)}`);

  it('opens with the same pairs in any order', async () => {
    const sealed = await envelope.seal('v', { context: { b: '2', a: '1', c: '3' } });
    expect(text(await envelope.open(sealed, { context: { c: '3', a: '1', b: '2' } }))).toBe('v');
  });

  it('refuses a different, missing, extra or renamed entry, and byte-different values', async () => {
    const sealed = await envelope.seal('v', { context: { vaultId: 'v_1', tenant: 'café' } });
    const wrong = [
      { vaultId: 'v_2', tenant: 'café' },
      { vaultId: 'v_1' },
      {},
      { vaultId: 'v_1', tenant: 'café', extra: '' },
      { vaultid: 'v_1', tenant: 'café' },
      { vaultId: 'v_1', tenant: 'cafe\u0301' }, // NFD: looks the same, different bytes
      { vaultId: 'v_1', tenant: 'café ' },
      { vaultId: 'v_1tenant', t: 'café' },
    ];
    for (const other of wrong) {
      expect(await rejectionCode(envelope.open(sealed, { context: other }))).toBe('DECRYPT_FAILED');
      expect(await rejectionCode(envelope.rewrap(sealed, { context: other }))).toBe(
        'DECRYPT_FAILED',
      );
    }
  });

  it('tells an empty value from a missing key', async () => {
    const sealed = await envelope.seal('v', { context: { a: '' } });
    expect(await rejectionCode(envelope.open(sealed, { context: {} }))).toBe('DECRYPT_FAILED');
    expect(text(await envelope.open(sealed, { context: { a: '' } }))).toBe('v');
  });

  it('does not let a value moved to another row open there', async () => {
    const rowA = await envelope.seal('token-a', { context: { vaultId: 'a', owner: 'org_1' } });
    expect(
      await rejectionCode(envelope.open(rowA, { context: { vaultId: 'b', owner: 'org_1' } })),
    ).toBe('DECRYPT_FAILED');
  });

  it('accepts limits exactly and refuses one past them', async () => {
    const many = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, 'v']));
    const sealed = await envelope.seal('v', { context: many });
    expect(text(await envelope.open(sealed, { context: many }))).toBe('v');
    const long = { ['k'.repeat(64)]: 'é'.repeat(2048) };
    expect(
      text(await envelope.open(await envelope.seal('v', { context: long }), { context: long })),
    ).toBe('v');
    expect(await rejectionCode(envelope.seal('v', { context: { ...many, k32: 'v' } }))).toBe(
      'INVALID_CONTEXT',
    );
    expect(await rejectionCode(envelope.seal('v', { context: { ['k'.repeat(65)]: 'v' } }))).toBe(
      'INVALID_CONTEXT',
    );
    expect(
      await rejectionCode(envelope.seal('v', { context: { k: `${'é'.repeat(2048)}x` } })),
    ).toBe('INVALID_CONTEXT');
    expect(await rejectionCode(envelope.seal('v', { context: { k: 'x'.repeat(4097) } }))).toBe(
      'INVALID_CONTEXT',
    );
  });

  it('refuses malformed contexts with INVALID_CONTEXT (status 400), on seal, open and rewrap', async () => {
    const sealed = await envelope.seal('v', { context: {} });
    class Ctx {
      a = '1';
    }
    const throwing = Object.defineProperty({}, 'a', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const hostile: unknown[] = [
      undefined,
      null,
      'vaultId=v_1',
      42,
      ['a', 'b'],
      new Map([['a', 'b']]),
      new Ctx(),
      { a: 1 },
      { a: null },
      { a: undefined },
      { a: ['x'] },
      { '': 'empty key' },
      { 'has space': 'v' },
      { ümlaut: 'v' },
      { 'new\nline': 'v' },
      { a: 'lone \ud800 surrogate' },
      { [Symbol('s')]: 'v' },
      throwing,
      new Proxy(
        {},
        {
          ownKeys: () => ['a', 'a'],
          getOwnPropertyDescriptor: () => ({ enumerable: true, configurable: true, value: 'x' }),
        },
      ),
    ];
    for (const bad of hostile) {
      const options = { context: bad } as unknown as { context: Record<string, string> };
      const error = await rejection(envelope.seal('v', options));
      expect(isCofferError(error, 'INVALID_CONTEXT')).toBe(true);
      expect((error as { status?: number }).status).toBe(400);
      expect(await rejectionCode(envelope.open(sealed, options))).toBe('INVALID_CONTEXT');
      expect(await rejectionCode(envelope.rewrap(sealed, options))).toBe('INVALID_CONTEXT');
      expect(await rejectionCode(envelope.openString('not sealed', options))).toBe(
        'INVALID_CONTEXT',
      );
    }
    const noOptions = [undefined, null, 'x'] as unknown as Array<{
      context: Record<string, string>;
    }>;
    for (const options of noOptions) {
      expect(await rejectionCode(envelope.seal('v', options))).toBe('INVALID_CONTEXT');
      expect(await rejectionCode(envelope.open(sealed, options))).toBe('INVALID_CONTEXT');
    }
  });

  it('never echoes a context value in an error', async () => {
    const error = await rejection(
      envelope.seal('v', { context: { secretish: `sk-live-${'q'.repeat(5000)}` } }),
    );
    expect(error.message).not.toContain('sk-live');
    expect(JSON.stringify(error)).not.toContain('sk-live');
  });
});

describe('input validation', () => {
  const envelope = envelopeFor(`*1:${envKey(0x41)}`);

  it('refuses plaintexts that are not bytes or well-formed strings', async () => {
    for (const bad of [
      undefined,
      null,
      42,
      {},
      [1, 2],
      new ArrayBuffer(4),
      new DataView(new ArrayBuffer(2)),
      'x\udfff',
    ]) {
      expect(await rejectionCode(envelope.seal(bad as Uint8Array, { context }))).toBe(
        'INVALID_INPUT',
      );
    }
  });

  it('accepts any Uint8Array view, including Buffers and offset views', async () => {
    const backing = utf8Encode('..hello..');
    const sealed = await envelope.seal(backing.subarray(2, 7), { context });
    expect(text(await envelope.open(sealed, { context }))).toBe('hello');
    const buffer = Buffer.from(await envelope.seal(Buffer.from('buf'), { context }));
    expect(text(await envelope.open(buffer, { context }))).toBe('buf');
    const framed = new Uint8Array(buffer.length + 10);
    framed.set(buffer, 5);
    expect(text(await envelope.open(framed.subarray(5, 5 + buffer.length), { context }))).toBe(
      'buf',
    );
  });

  it('refuses sealed inputs of the wrong type with INVALID_INPUT', async () => {
    const asText = await envelope.sealToString('v', { context });
    expect(await rejectionCode(envelope.open(asText as unknown as Uint8Array, { context }))).toBe(
      'INVALID_INPUT',
    );
    expect(
      await rejectionCode(envelope.openString(new Uint8Array(3) as unknown as string, { context })),
    ).toBe('INVALID_INPUT');
    expect(await rejectionCode(envelope.rewrap([] as unknown as Uint8Array, { context }))).toBe(
      'INVALID_INPUT',
    );
    expect(await rejectionCode(envelope.rewrapString(7 as unknown as string, { context }))).toBe(
      'INVALID_INPUT',
    );
    expect(() => inspectSealed(7 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  it('refuses unknown algorithms and non-providers', async () => {
    const provider = createLocalKeyProvider(Keyring.fromEnv(`*1:${envKey(0x41)}`));
    for (const algorithm of ['aes-128-gcm', 'AES-256-GCM', '', 'toString', '__proto__', 1]) {
      expect(() => createEnvelope({ provider, algorithm: algorithm as EnvelopeAlgorithm })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
      expect(
        await rejectionCode(
          envelope.seal('v', { context, algorithm: algorithm as EnvelopeAlgorithm }),
        ),
      ).toBe('INVALID_INPUT');
    }
    for (const bad of [undefined, null, {}, { name: 'x', wrapKey() {} }, 'local']) {
      expect(() => createEnvelope({ provider: bad as never })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
      if (bad !== undefined) {
        // (undefined means "the envelope's provider" in per-call options.)
        expect(await rejectionCode(envelope.seal('v', { context, provider: bad as never }))).toBe(
          'INVALID_INPUT',
        );
      }
    }
    expect(() => createEnvelope(undefined as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

describe('key-encryption keys', () => {
  it('refuses a value whose KEK the keyring lacks with UNKNOWN_KEK, naming only the id', async () => {
    const sealed = await envelopeFor(`*9:${envKey(0x49)}`).seal('v', { context });
    const error = await rejection(envelopeFor(`*1:${envKey(0x41)}`).open(sealed, { context }));
    expect(isCofferError(error, 'UNKNOWN_KEK')).toBe(true);
    expect((error as { details?: unknown }).details).toEqual({ kekId: '9' });
    expect(error.message).toContain('"9"');
  });

  it('refuses a value wrapped under a retired KEK with RETIRED_KEK', async () => {
    const sealed = await envelopeFor(`*1:${envKey(0x41)}`).seal('v', { context });
    const retired = envelopeFor(`*2:${envKey(0x42)},!1:${envKey(0x41)}`);
    expect(await rejectionCode(retired.open(sealed, { context }))).toBe('RETIRED_KEK');
    expect(await rejectionCode(retired.rewrap(sealed, { context }))).toBe('RETIRED_KEK');
  });

  it('treats a key under the same id but different bytes as a wrong key: DECRYPT_FAILED', async () => {
    const sealed = await envelopeFor(`*1:${envKey(0x41)}`).seal('v', { context });
    expect(await rejectionCode(envelopeFor(`*1:${envKey(0x47)}`).open(sealed, { context }))).toBe(
      'DECRYPT_FAILED',
    );
  });

  it('opens values under an active (no longer primary) key', async () => {
    const sealed = await envelopeFor(`*1:${envKey(0x41)}`).seal('v', { context });
    expect(
      text(await envelopeFor(`*2:${envKey(0x42)},1:${envKey(0x41)}`).open(sealed, { context })),
    ).toBe('v');
  });

  it('chooses the provider per call (per-tenant keyrings)', async () => {
    const shared = envelopeFor(`*1:${envKey(0x41)}`);
    const tenantProvider = createLocalKeyProvider(Keyring.fromEnv(`*acme-1:${envKey(42)}`));
    const sealed = await shared.seal('v', { context, provider: tenantProvider });
    expect(inspectSealed(sealed).kekId).toBe('acme-1');
    expect(await rejectionCode(shared.open(sealed, { context }))).toBe('UNKNOWN_KEK');
    expect(text(await shared.open(sealed, { context, provider: tenantProvider }))).toBe('v');
  });
});

describe('rewrap', () => {
  const v1 = `1:${envKey(0x41)}`;

  for (const algorithm of ALGORITHMS) {
    it(`moves the data key to the primary KEK and leaves the payload bytes alone (${algorithm})`, async () => {
      const plaintext = utf8Encode('a token that must survive rotation');
      const sealed = await envelopeFor(`*${v1}`).seal(plaintext, { context, algorithm });
      const rotated = envelopeFor(`*2:${envKey(0x42)},${v1}`);
      const rewrapped = await rotated.rewrap(sealed, { context });
      expect(inspectSealed(rewrapped)).toEqual({ formatVersion: 1, algorithm, kekId: '2' });
      const payloadLength = plaintext.length + 16;
      expect(rewrapped.subarray(rewrapped.length - payloadLength)).toEqual(
        sealed.subarray(sealed.length - payloadLength),
      );
      expect(await rotated.open(rewrapped, { context })).toEqual(plaintext);
      // Only the new key is needed now.
      expect(await envelopeFor(`*2:${envKey(0x42)}`).open(rewrapped, { context })).toEqual(
        plaintext,
      );
      expect(await rejectionCode(envelopeFor(`*${v1}`).open(rewrapped, { context }))).toBe(
        'UNKNOWN_KEK',
      );
    });
  }

  it('returns an equal copy for a value already under the primary KEK, after checking it', async () => {
    const envelope = envelopeFor(`*${v1}`);
    const sealed = await envelope.seal('v', { context });
    const again = await envelope.rewrap(sealed, { context });
    expect(again).toEqual(sealed);
    expect(again).not.toBe(sealed);
    expect(await rejectionCode(envelope.rewrap(sealed, { context: {} }))).toBe('DECRYPT_FAILED');
  });

  it('works on the text form', async () => {
    const sealed = await envelopeFor(`*${v1}`).sealToString('v', { context });
    const rotated = envelopeFor(`*b:${envKey(0x42)},${v1}`);
    const rewrapped = await rotated.rewrapString(sealed, { context });
    expect(rewrapped.startsWith('cf1.')).toBe(true);
    expect(inspectSealed(rewrapped).kekId).toBe('b');
    expect(text(await rotated.openString(rewrapped, { context }))).toBe('v');
    expect(await rejectionCode(rotated.rewrapString('cf1.AAAA', { context }))).toBe(
      'DECRYPT_FAILED',
    );
  });
});
