// A provider's error dressed up as a coffer error — the right code, `retryable`, the name
// "CofferError", even CofferError.prototype as its prototype — is still a foreign error: it becomes
// KEY_PROVIDER_FAILED and its message (which could carry request data) reaches no caller. Neither
// does the error of a proxy trap or a getter that throws while the envelope looks at what the
// provider threw.
import { inspect } from 'node:util';
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
import { createEnvelope, type KeyProvider } from '../src/index.js';
import { rejection } from './_helpers.js';

const context = { vaultId: 'v_1' };
const LEAK = 'RequestId 7f3a9c for arn:aws:kms:eu-west-1:123456789012:key/EAAG-SECRET';

const KMS_KEY = new Uint8Array(32).fill(0x6b);

/** A KMS stand-in (AES-GCM under its own key); what matters here is what it throws. */
function provider(fail: () => unknown, which: 'wrapKey' | 'unwrapKey' | 'both'): KeyProvider {
  return {
    name: 'forger',
    primaryKekId: () => 'kms-1',
    keyStatus: () => 'primary',
    async wrapKey(dek, aad) {
      if (which !== 'unwrapKey') throw fail();
      const nonce = randomBytes(12);
      return {
        kekId: 'kms-1',
        wrapped: concatBytes(nonce, aes256GcmSeal(KMS_KEY, nonce, dek, aad)),
      };
    },
    async unwrapKey(_kekId, wrapped, aad) {
      if (which !== 'wrapKey') throw fail();
      return aes256GcmOpen(KMS_KEY, wrapped.subarray(0, 12), wrapped.subarray(12), aad);
    },
  };
}

function forgedPrototype(): Error {
  const e = Object.assign(new Error(LEAK), { code: 'DECRYPT_FAILED', retryable: true });
  Object.setPrototypeOf(e, CofferError.prototype);
  return e;
}

const forgeries: Array<[string, () => unknown]> = [
  ['an error with CofferError.prototype as its prototype', forgedPrototype],
  [
    'an object made from DecryptionError.prototype',
    () =>
      Object.create(DecryptionError.prototype, {
        message: { value: LEAK },
        code: { value: 'DECRYPT_FAILED' },
        name: { value: 'CofferError' },
        retryable: { value: false },
      }),
  ],
  [
    'an error named CofferError with a code and retryable',
    () =>
      Object.assign(new Error(LEAK), {
        name: 'CofferError',
        code: 'DECRYPT_FAILED',
        retryable: false,
      }),
  ],
  [
    'a proxy whose getPrototypeOf trap throws',
    () =>
      new Proxy(new Error(LEAK), {
        getPrototypeOf() {
          throw new Error(`trap ${LEAK}`);
        },
      }),
  ],
  [
    'a proxy whose every trap throws',
    () => {
      const trap = (): never => {
        throw new Error(`trap ${LEAK}`);
      };
      return new Proxy(
        {},
        { getPrototypeOf: trap, getOwnPropertyDescriptor: trap, get: trap, has: trap },
      );
    },
  ],
];

async function failures(p: KeyProvider): Promise<unknown[]> {
  const sealer = createEnvelope({ provider: provider(() => new Error('unused'), 'unwrapKey') });
  const sealed = await sealer.seal('value', { context });
  const envelope = createEnvelope({ provider: p });
  return [
    await rejection(envelope.seal('value', { context })),
    await rejection(envelope.open(sealed, { context })),
    await rejection(envelope.rewrap(sealed, { context })),
  ];
}

describe('forged coffer errors from a provider', () => {
  it.each(forgeries)('%s becomes KEY_PROVIDER_FAILED without its text', async (_name, make) => {
    for (const error of await failures(provider(make, 'both'))) {
      expect(isCofferError(error, 'KEY_PROVIDER_FAILED')).toBe(true);
      const e = error as CofferError;
      expect(e.cause).toBeUndefined();
      for (const surface of [e.message, JSON.stringify(e), inspect(e), String(e.stack)]) {
        expect(surface).not.toContain('SECRET');
        expect(surface).not.toContain('RequestId');
      }
    }
  });

  it('a provider whose name getter throws still gets KEY_PROVIDER_FAILED', async () => {
    const base = provider(() => new Error(LEAK), 'both');
    const p = Object.create(base, {
      name: {
        get(): never {
          throw new Error(`name getter ${LEAK}`);
        },
      },
    }) as KeyProvider;
    const error = await rejection(createEnvelope({ provider: p }).seal('value', { context }));
    expect(isCofferError(error, 'KEY_PROVIDER_FAILED')).toBe(true);
    expect(`${error.message} ${inspect(error)}`).not.toContain('SECRET');
  });

  it('a real coffer error from the provider still passes through unchanged', async () => {
    const busy = new CofferError('KMS_UNAVAILABLE', 'KMS is throttling; retry later.', {
      retryable: true,
    });
    for (const error of await failures(provider(() => busy, 'both'))) expect(error).toBe(busy);
  });
});
