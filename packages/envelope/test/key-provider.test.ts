// The KeyProvider contract as the envelope enforces it, with a KMS-like provider written here, and
// the local provider's own API.
import {
  aes256GcmOpen,
  aes256GcmSeal,
  CofferError,
  concatBytes,
  DecryptionError,
  isCofferError,
  randomBytes,
} from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  createEnvelope,
  createLocalKeyProvider,
  inspectSealed,
  type KeyProvider,
  Keyring,
  RetiredKekError,
  UnknownKekError,
} from '../src/index.js';
import { envKey, rejection, rejectionCode, testKey, text } from './_helpers.js';

/**
 * A stand-in for a KMS: keys held "remotely", AES-GCM with a random nonce (a real KMS does its own
 * thing), the aad authenticated, optional padding to make big blobs, and a call log.
 */
function fakeKms(options: { primary?: string; pad?: number } = {}) {
  const keys = new Map<string, Uint8Array>([
    ['kms-a', testKey(0xa1)],
    ['kms-b', testKey(0xb2)],
  ]);
  const state = { primary: options.primary ?? 'kms-a' };
  const calls: Array<{
    op: string;
    kekId?: string;
    aad: Uint8Array;
    dek?: Uint8Array;
    returned?: Uint8Array;
  }> = [];
  const pad = options.pad ?? 0;
  const provider: KeyProvider = {
    name: 'fake-kms',
    async primaryKekId() {
      return state.primary;
    },
    async keyStatus(kekId) {
      if (!keys.has(kekId)) return 'unknown';
      return kekId === state.primary ? 'primary' : 'active';
    },
    async wrapKey(dek, aad) {
      calls.push({ op: 'wrap', aad: aad.slice(), dek });
      const key = keys.get(state.primary) as Uint8Array;
      const nonce = randomBytes(12);
      return {
        kekId: state.primary,
        wrapped: concatBytes(nonce, aes256GcmSeal(key, nonce, dek, aad), new Uint8Array(pad)),
      };
    },
    async unwrapKey(kekId, wrapped, aad) {
      const key = keys.get(kekId);
      if (key === undefined) throw new UnknownKekError(kekId);
      if (wrapped.length !== 12 + 48 + pad) throw new DecryptionError();
      const dek = aes256GcmOpen(key, wrapped.subarray(0, 12), wrapped.subarray(12, 60), aad);
      calls.push({ op: 'unwrap', kekId, aad: aad.slice(), returned: dek });
      return dek;
    },
  };
  return { provider, state, calls };
}

const context = { vaultId: 'v_1' };

describe('a KMS-style provider', () => {
  it('seals, opens and rewraps through the async interface', async () => {
    const kms = fakeKms();
    const envelope = createEnvelope({ provider: kms.provider });
    const sealed = await envelope.seal('through the kms', { context });
    expect(inspectSealed(sealed).kekId).toBe('kms-a');
    // header 3 + id 5 + length 2 + wrapped (12 + 48) + payload (15 + 16)
    expect(sealed.length).toBe(3 + 5 + 2 + 60 + 15 + 16);
    expect(text(await envelope.open(sealed, { context }))).toBe('through the kms');
    kms.state.primary = 'kms-b';
    const rewrapped = await envelope.rewrap(sealed, { context });
    expect(inspectSealed(rewrapped).kekId).toBe('kms-b');
    expect(text(await envelope.open(rewrapped, { context }))).toBe('through the kms');
  });

  it('gives the provider the wrap AAD: version, algorithm, context, then the KEK id', async () => {
    const kms = fakeKms();
    const envelope = createEnvelope({ provider: kms.provider });
    const sealed = await envelope.seal('v', { context: { b: '2', a: '1' } });
    const wrapAad = kms.calls[0]?.aad as Uint8Array;
    const expected = concatBytes(
      new Uint8Array([1, 1]),
      new Uint8Array([0, 0, 0, 2]),
      new Uint8Array([0, 0, 0, 1, 0x61, 0, 0, 0, 1, 0x31]),
      new Uint8Array([0, 0, 0, 1, 0x62, 0, 0, 0, 1, 0x32]),
      new Uint8Array([5]),
      new TextEncoder().encode('kms-a'),
    );
    expect(wrapAad).toEqual(expected);
    await envelope.open(sealed, { context: { a: '1', b: '2' } });
    expect(kms.calls[1]?.aad).toEqual(expected);
  });

  it('zeroes the data key it handed out or got back once done', async () => {
    const kms = fakeKms();
    const envelope = createEnvelope({ provider: kms.provider });
    const sealed = await envelope.seal('v', { context });
    await envelope.open(sealed, { context });
    expect(kms.calls[0]?.dek).toEqual(new Uint8Array(32));
    expect(kms.calls[1]?.returned).toEqual(new Uint8Array(32));
    // The DEK given to a provider is its own array, not a view of a shared buffer.
    expect(kms.calls[0]?.dek?.buffer.byteLength).toBe(32);
  });

  it('supports wrapped keys up to 65535 bytes', async () => {
    const kms = fakeKms({ pad: 65535 - 60 });
    const envelope = createEnvelope({ provider: kms.provider });
    const sealed = await envelope.seal('big blob', { context });
    expect(sealed.length).toBe(3 + 5 + 2 + 65535 + 8 + 16);
    expect(text(await envelope.open(sealed, { context }))).toBe('big blob');
    const tooBig = fakeKms({ pad: 65536 - 60 });
    expect(
      await rejectionCode(createEnvelope({ provider: tooBig.provider }).seal('v', { context })),
    ).toBe('KEY_PROVIDER_FAILED');
  });

  it('retries once when the primary changes between primaryKekId and wrapKey', async () => {
    const kms = fakeKms();
    let flips = 0;
    const racing: KeyProvider = {
      ...kms.provider,
      async wrapKey(dek, aad) {
        const result = await kms.provider.wrapKey(dek, aad);
        if (flips++ === 0) kms.state.primary = 'kms-b'; // rotated under our feet
        return flips === 1 ? { ...result, kekId: 'kms-b' } : result;
      },
    };
    const envelope = createEnvelope({ provider: racing });
    const sealed = await envelope.seal('v', { context });
    expect(inspectSealed(sealed).kekId).toBe('kms-b');
    expect(text(await envelope.open(sealed, { context, provider: kms.provider }))).toBe('v');
  });

  it('fails with KEY_PROVIDER_FAILED when wrapKey keeps using another key', async () => {
    const kms = fakeKms();
    const liar: KeyProvider = {
      ...kms.provider,
      async wrapKey(dek, aad) {
        return { ...(await kms.provider.wrapKey(dek, aad)), kekId: 'somewhere-else' };
      },
    };
    expect(await rejectionCode(createEnvelope({ provider: liar }).seal('v', { context }))).toBe(
      'KEY_PROVIDER_FAILED',
    );
  });

  it('replaces non-coffer provider errors, without their message or cause', async () => {
    const kms = fakeKms();
    const leaky: KeyProvider = {
      ...kms.provider,
      async wrapKey() {
        throw new TypeError('failed for key material AKIA-SECRET-123');
      },
      async unwrapKey() {
        throw 'a thrown string with SECRET-456';
      },
    };
    const envelope = createEnvelope({ provider: leaky });
    const error = await rejection(envelope.seal('v', { context }));
    expect(isCofferError(error, 'KEY_PROVIDER_FAILED')).toBe(true);
    expect(error.message).not.toContain('SECRET');
    expect(error.cause).toBeUndefined();
    expect(JSON.stringify(error)).not.toContain('SECRET');
    expect((error as CofferError).details).toEqual({
      provider: 'fake-kms',
      errorName: 'TypeError',
    });
    const sealed = await createEnvelope({ provider: kms.provider }).seal('v', { context });
    const openError = await rejection(envelope.open(sealed, { context }));
    expect(isCofferError(openError, 'KEY_PROVIDER_FAILED')).toBe(true);
    expect(JSON.stringify(openError)).not.toContain('SECRET');
  });

  it('passes coffer errors from the provider through unchanged (e.g. retryable throttling)', async () => {
    const kms = fakeKms();
    const throttled = new CofferError('KMS_THROTTLED', 'KMS is throttling; retry later', {
      retryable: true,
    });
    const busy: KeyProvider = {
      ...kms.provider,
      async wrapKey() {
        throw throttled;
      },
    };
    expect(await rejection(createEnvelope({ provider: busy }).seal('v', { context }))).toBe(
      throttled,
    );
  });

  it('refuses malformed provider answers', async () => {
    const kms = fakeKms();
    const badPrimaries = ['', 'has space', 'x'.repeat(256), 'ünï', 42, undefined];
    for (const primary of badPrimaries) {
      const p: KeyProvider = { ...kms.provider, primaryKekId: () => primary as string };
      expect(await rejectionCode(createEnvelope({ provider: p }).seal('v', { context }))).toBe(
        'KEY_PROVIDER_FAILED',
      );
    }
    const badWraps = [
      undefined,
      null,
      {},
      { kekId: 'kms-a' },
      { kekId: 'kms-a', wrapped: new Uint8Array(0) },
      { kekId: 'kms-a', wrapped: [1, 2] },
    ];
    for (const answer of badWraps) {
      const p: KeyProvider = { ...kms.provider, wrapKey: async () => answer as never };
      expect(await rejectionCode(createEnvelope({ provider: p }).seal('v', { context }))).toBe(
        'KEY_PROVIDER_FAILED',
      );
    }
    const sealed = await createEnvelope({ provider: kms.provider }).seal('v', { context });
    for (const answer of [new Uint8Array(31), new Uint8Array(33), 'key', undefined]) {
      const p: KeyProvider = { ...kms.provider, unwrapKey: async () => answer as never };
      expect(await rejectionCode(createEnvelope({ provider: p }).open(sealed, { context }))).toBe(
        'DECRYPT_FAILED',
      );
    }
  });

  it('accepts a synchronous primaryKekId', async () => {
    const kms = fakeKms();
    const p: KeyProvider = { ...kms.provider, primaryKekId: () => 'kms-a' };
    const envelope = createEnvelope({ provider: p });
    expect(text(await envelope.open(await envelope.seal('v', { context }), { context }))).toBe('v');
  });
});

describe('the local provider', () => {
  const keyring = Keyring.fromEnv(`*2:${envKey(0x42)},1:${envKey(0x41)},!0:${envKey(0x49)}`);
  const provider = createLocalKeyProvider(keyring);

  it('reports its name, primary and key statuses', async () => {
    expect(provider.name).toBe('local');
    expect(await provider.primaryKekId()).toBe('2');
    expect(await provider.keyStatus('2')).toBe('primary');
    expect(await provider.keyStatus('1')).toBe('active');
    expect(await provider.keyStatus('0')).toBe('retired');
    expect(await provider.keyStatus('7')).toBe('unknown');
  });

  it('wraps a data key into 72 bytes and unwraps it only with the same aad and key id', async () => {
    const dek = randomBytes(32);
    const aad = new Uint8Array([1, 2, 3]);
    const { kekId, wrapped } = await provider.wrapKey(dek, aad);
    expect(kekId).toBe('2');
    expect(wrapped.length).toBe(72);
    expect(await provider.unwrapKey('2', wrapped, aad)).toEqual(dek);
    expect(await rejectionCode(provider.unwrapKey('2', wrapped, new Uint8Array([1, 2])))).toBe(
      'DECRYPT_FAILED',
    );
    expect(await rejectionCode(provider.unwrapKey('1', wrapped, aad))).toBe('DECRYPT_FAILED');
    expect(await rejectionCode(provider.unwrapKey('7', wrapped, aad))).toBe('UNKNOWN_KEK');
    expect(await rejection(provider.unwrapKey('0', wrapped, aad))).toBeInstanceOf(RetiredKekError);
    expect(await rejectionCode(provider.unwrapKey('2', wrapped.subarray(1), aad))).toBe(
      'DECRYPT_FAILED',
    );
    expect(
      await rejectionCode(provider.unwrapKey('2', concatBytes(wrapped, new Uint8Array(1)), aad)),
    ).toBe('DECRYPT_FAILED');
  });

  it('opens what another provider over the same keys wrapped (derived keys are not cached state)', async () => {
    const other = createLocalKeyProvider(Keyring.fromEnv(`*2:${envKey(0x42)}`));
    const dek = randomBytes(32);
    const { wrapped } = await other.wrapKey(dek, new Uint8Array(0));
    expect(await provider.unwrapKey('2', wrapped, new Uint8Array(0))).toEqual(dek);
  });

  it('validates its arguments', async () => {
    for (const dek of [new Uint8Array(16), new Uint8Array(33), 'dek', undefined]) {
      expect(await rejectionCode(provider.wrapKey(dek as Uint8Array, new Uint8Array(0)))).toBe(
        'INVALID_INPUT',
      );
    }
    expect(await rejectionCode(provider.wrapKey(new Uint8Array(32), 'aad' as never))).toBe(
      'INVALID_INPUT',
    );
    expect(
      await rejectionCode(provider.unwrapKey(2 as never, new Uint8Array(72), new Uint8Array(0))),
    ).toBe('INVALID_INPUT');
    expect(await rejectionCode(provider.unwrapKey('2', 'x' as never, new Uint8Array(0)))).toBe(
      'INVALID_INPUT',
    );
    expect(await rejectionCode(provider.unwrapKey('2', new Uint8Array(72), null as never))).toBe(
      'INVALID_INPUT',
    );
  });

  it('needs a Keyring', () => {
    for (const bad of [undefined, {}, `*1:${envKey(0x41)}`, { primaryKekId: '1' }]) {
      expect(() => createLocalKeyProvider(bad as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_KEYRING' }),
      );
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(provider)).toBe(true);
  });
});
