// A careless or hostile key provider: it zeroes, keeps or changes the buffers it is handed or
// returns, and throws errors that look like coffer's. None of it may reach a sealed value, the
// caller's bytes, or the caller's error.
import { inspect } from 'node:util';
import {
  aes256GcmOpen,
  aes256GcmSeal,
  concatBytes,
  DecryptionError,
  isCofferError,
  randomBytes,
  toHex,
} from '@coffer/core';
import { describe, expect, it } from 'vitest';
import { createEnvelope, createLocalKeyProvider, type KeyProvider, Keyring } from '../src/index.js';
import { envKey, rejection, testKey, text } from './_helpers.js';
import { referenceAad } from './_reference-format.js';

const context = { vaultId: 'v_1', tenant: 'acme' };

interface Hooks {
  /** Runs after the data key was wrapped, before wrapKey returns. */
  afterWrap?: (dek: Uint8Array, aad: Uint8Array, wrapped: Uint8Array) => void;
  /** Runs after the data key was unwrapped, before unwrapKey returns. */
  afterUnwrap?: (wrapped: Uint8Array, aad: Uint8Array) => void;
}

/** A KMS-like provider (AES-GCM under a key it holds, random nonce) with hooks for misbehaving. */
function kms(hooks: Hooks = {}): KeyProvider {
  const key = testKey(0xc3);
  return {
    name: 'careless-kms',
    primaryKekId: () => 'kms-1',
    keyStatus: (kekId) => (kekId === 'kms-1' ? 'primary' : 'unknown'),
    async wrapKey(dek, aad) {
      const nonce = randomBytes(12);
      const wrapped = concatBytes(nonce, aes256GcmSeal(key, nonce, dek, aad));
      hooks.afterWrap?.(dek, aad, wrapped);
      return { kekId: 'kms-1', wrapped };
    },
    async unwrapKey(_kekId, wrapped, aad) {
      if (wrapped.length !== 60) throw new DecryptionError();
      const dek = aes256GcmOpen(key, wrapped.subarray(0, 12), wrapped.subarray(12), aad);
      hooks.afterUnwrap?.(wrapped, aad);
      return dek;
    },
  };
}

/** The payload of a value sealed with `kms()` (header 3 + "kms-1" 5 + length 2 + wrapped 60). */
const payloadOf = (sealed: Uint8Array): Uint8Array => sealed.subarray(3 + 5 + 2 + 60);

describe('a provider that zeroes the data key it was handed', () => {
  it('cannot make the payload sealed under a zero key: the value round-trips', async () => {
    const envelope = createEnvelope({ provider: kms({ afterWrap: (dek) => dek.fill(0) }) });
    for (const algorithm of ['aes-256-gcm', 'xchacha20-poly1305'] as const) {
      const sealed = await envelope.seal('EAAG-token-to-keep', { context, algorithm });
      expect(text(await envelope.open(sealed, { context }))).toBe('EAAG-token-to-keep');
    }
  });

  it('leaves a payload that does not open under an all-zero key', async () => {
    const envelope = createEnvelope({ provider: kms({ afterWrap: (dek) => dek.fill(0) }) });
    const sealed = await envelope.seal('EAAG-token-to-keep', { context });
    const { payloadAad } = referenceAad('aes-256-gcm', context, 'kms-1');
    expect(() =>
      aes256GcmOpen(new Uint8Array(32), new Uint8Array(12), payloadOf(sealed), payloadAad),
    ).toThrow(DecryptionError);
  });

  it('gets its own copy: the envelope zeroes that copy afterwards, not what it sealed with', async () => {
    const handed: Uint8Array[] = [];
    const envelope = createEnvelope({ provider: kms({ afterWrap: (dek) => handed.push(dek) }) });
    const sealed = await envelope.seal('v', { context });
    expect(handed[0]).toEqual(new Uint8Array(32));
    expect(handed[0]?.buffer.byteLength).toBe(32);
    expect(text(await envelope.open(sealed, { context }))).toBe('v');
  });
});

describe('a provider that changes or keeps the other buffers', () => {
  it('zeroing the wrap AAD it was handed changes nothing sealed', async () => {
    const envelope = createEnvelope({ provider: kms({ afterWrap: (_d, aad) => aad.fill(0) }) });
    const sealed = await envelope.seal('aad-zeroing provider', { context });
    expect(text(await envelope.open(sealed, { context }))).toBe('aad-zeroing provider');
  });

  it('changing the wrapped key it returned, later, changes nothing sealed', async () => {
    const kept: Uint8Array[] = [];
    const envelope = createEnvelope({ provider: kms({ afterWrap: (_d, _a, w) => kept.push(w) }) });
    const sealed = await envelope.seal('kept wrapped key', { context });
    for (const w of kept) w.fill(0xff);
    expect(text(await envelope.open(sealed, { context }))).toBe('kept wrapped key');
  });

  it("zeroing the wrapped key and AAD it is handed on open leaves the caller's bytes alone", async () => {
    const sealer = createEnvelope({ provider: kms() });
    const sealed = await sealer.seal('do not touch my row', { context });
    const before = toHex(sealed);
    const careless = createEnvelope({
      provider: kms({
        afterUnwrap: (wrapped, aad) => {
          wrapped.fill(0);
          aad.fill(0);
        },
      }),
    });
    expect(text(await careless.open(sealed, { context }))).toBe('do not touch my row');
    expect(toHex(sealed)).toBe(before);
    // The same holds for a Buffer, whose subarrays are views too.
    const buffer = Buffer.from(sealed);
    expect(text(await careless.open(buffer, { context }))).toBe('do not touch my row');
    expect(toHex(buffer)).toBe(before);
  });

  it('a data key it caches and returns again was zeroed: the next open fails closed', async () => {
    // A provider caching one array per wrapped key (it should not): the envelope works on its own
    // copy and zeroes the provider's array once, so the next open fails closed, never opens wrong.
    const base = kms();
    const cache = new Map<string, Uint8Array>();
    const caching: KeyProvider = {
      ...base,
      async unwrapKey(kekId, wrapped, aad) {
        const hit = cache.get(toHex(wrapped));
        if (hit !== undefined) return hit;
        const dek = await base.unwrapKey(kekId, wrapped, aad);
        cache.set(toHex(wrapped), dek);
        return dek;
      },
    };
    const envelope = createEnvelope({ provider: caching });
    const sealed = await envelope.seal('cached', { context });
    expect(text(await envelope.open(sealed, { context }))).toBe('cached');
    const again = await rejection(envelope.open(sealed, { context }));
    expect(isCofferError(again, 'DECRYPT_FAILED')).toBe(true);
  });
});

describe('errors from a provider', () => {
  it('a foreign error shaped like a coffer error (AWS SDK v2) becomes KEY_PROVIDER_FAILED', async () => {
    const secretish = 'User: arn:aws:iam::123456789012:user/ci is not authorized; RequestId 7f3a9c';
    const aws = Object.assign(new Error(secretish), {
      name: 'AccessDeniedException',
      code: 'AccessDeniedException',
      retryable: false,
      statusCode: 400,
    });
    const denied: KeyProvider = {
      ...kms(),
      async wrapKey() {
        throw aws;
      },
      async unwrapKey() {
        throw aws;
      },
    };
    const envelope = createEnvelope({ provider: denied });
    const sealed = await createEnvelope({ provider: kms() }).seal('v', { context });
    for (const error of [
      await rejection(envelope.seal('v', { context })),
      await rejection(envelope.open(sealed, { context })),
      await rejection(envelope.rewrap(sealed, { context })),
    ]) {
      expect(error).not.toBe(aws);
      expect(isCofferError(error, 'KEY_PROVIDER_FAILED')).toBe(true);
      expect(error.cause).toBeUndefined();
      expect((error as { details?: unknown }).details).toEqual({
        provider: 'careless-kms',
        errorName: 'AccessDeniedException',
      });
      expect((error as { retryable?: unknown }).retryable).toBe(false);
      for (const surface of [error.message, JSON.stringify(error), inspect(error), error.stack]) {
        expect(surface).not.toContain('arn:aws');
        expect(surface).not.toContain('RequestId');
      }
    }
  });

  it('keeps that a retry may help, and drops an error name that is not a plain identifier', async () => {
    const throttled = Object.assign(new Error('Rate exceeded for key alias/prod'), {
      name: 'ThrottlingException',
      $retryable: { throttling: true },
    });
    const weird = Object.assign(new Error('x'), { name: 'Denied for token EAAG-SECRET-1' });
    const errors: Error[] = [];
    for (const thrown of [throttled, weird]) {
      const p: KeyProvider = {
        ...kms(),
        async wrapKey() {
          throw thrown;
        },
      };
      errors.push(await rejection(createEnvelope({ provider: p }).seal('v', { context })));
    }
    const [first, second] = errors as [Error, Error];
    expect(isCofferError(first, 'KEY_PROVIDER_FAILED') && first.retryable).toBe(true);
    expect((first as { details?: unknown }).details).toEqual({
      provider: 'careless-kms',
      errorName: 'ThrottlingException',
    });
    expect((second as { details?: unknown }).details).toEqual({ provider: 'careless-kms' });
    expect(JSON.stringify(second)).not.toContain('EAAG');
    expect(inspect(second)).not.toContain('EAAG');
  });
});

describe('rewrap returns a copy with its own memory', () => {
  const key1 = envKey(0x41);
  const local = createEnvelope({ provider: createLocalKeyProvider(Keyring.fromEnv(`*1:${key1}`)) });
  const kmsEnvelope = createEnvelope({ provider: kms() });

  it.each([
    ['local provider', local],
    ['KMS-style provider', kmsEnvelope],
  ])('for a Buffer and a view into a larger buffer (%s)', async (_name, envelope) => {
    const sealed = await envelope.seal('already under the primary', { context });
    const inputs: Uint8Array[] = [Buffer.from(sealed)];
    const big = new Uint8Array(sealed.length + 64);
    big.set(sealed, 32);
    inputs.push(big.subarray(32, 32 + sealed.length));
    for (const input of inputs) {
      const result = await envelope.rewrap(input, { context });
      expect(toHex(result)).toBe(toHex(sealed));
      expect(Object.getPrototypeOf(result)).toBe(Uint8Array.prototype);
      expect(result.buffer).not.toBe(input.buffer);
      input.fill(0);
      expect(toHex(result)).toBe(toHex(sealed));
      expect(text(await envelope.open(result, { context }))).toBe('already under the primary');
    }
  });
});

describe('a provider whose errors or answers throw when touched', () => {
  it('still ends in KEY_PROVIDER_FAILED, and nothing of the provider escapes', async () => {
    const trap = new Proxy(new Error('x'), {
      get(target, key) {
        if (key === 'name' || key === 'code') throw new Error('getter leak EAAG-SECRET-2');
        return Reflect.get(target, key);
      },
    });
    const answer = {
      get wrapped(): Uint8Array {
        throw new Error('getter leak EAAG-SECRET-3');
      },
      kekId: 'kms-1',
    };
    for (const p of [
      {
        ...kms(),
        async wrapKey(): Promise<never> {
          throw trap;
        },
      },
      { ...kms(), wrapKey: async () => answer },
    ] satisfies KeyProvider[]) {
      const error = await rejection(createEnvelope({ provider: p }).seal('v', { context }));
      expect(isCofferError(error, 'KEY_PROVIDER_FAILED')).toBe(true);
      expect(`${error.message} ${JSON.stringify(error)} ${inspect(error)}`).not.toContain('SECRET');
    }
  });
});
