// What a provider hands back is copied from the array's own storage before anything of the
// provider's is zeroed, and checked on the copy: a wrapped key that shares memory with the data key
// copy it was handed, a "wrapped key" that is the data key, arrays whose `length` lies, detached
// arrays and impostors of Uint8Array end in a working value or a typed error, never in an unreadable
// value, a data key stored in clear, or a TypeError/RangeError.
import { inspect } from 'node:util';
import {
  aes256GcmOpen,
  aes256GcmSeal,
  concatBytes,
  isCofferError,
  randomBytes,
  toHex,
} from '@coffer/core';
import { describe, expect, it } from 'vitest';
import { createEnvelope, type KeyProvider } from '../src/index.js';
import { rejection, testKey, text } from './_helpers.js';

const context = { vaultId: 'v_1' };
const KMS_KEY = testKey(0x4d);

/** A well-behaved KMS stand-in; tests override one method. */
function kms(overrides: Partial<KeyProvider> = {}): KeyProvider {
  return {
    name: 'answers',
    primaryKekId: () => 'kms-1',
    keyStatus: () => 'primary',
    async wrapKey(dek, aad) {
      const nonce = randomBytes(12);
      return {
        kekId: 'kms-1',
        wrapped: concatBytes(nonce, aes256GcmSeal(KMS_KEY, nonce, dek, aad)),
      };
    },
    async unwrapKey(_kekId, wrapped, aad) {
      return aes256GcmOpen(KMS_KEY, wrapped.subarray(0, 12), wrapped.subarray(12), aad);
    },
    ...overrides,
  };
}

/** A sealed value made by the well-behaved provider. */
async function sealedByKms(): Promise<Uint8Array> {
  return createEnvelope({ provider: kms() }).seal('stored value', { context });
}

describe('a wrapped key that shares memory with the data key it was handed', () => {
  it('an in-place wrap is copied before the envelope zeroes its copy: the value opens', async () => {
    // Encrypts in place (XOR with a keystream kept per wrap): the answer *is* the array it got.
    const pads = new Map<string, Uint8Array>();
    const inPlace = kms({
      async wrapKey(dek) {
        const pad = randomBytes(32);
        for (let i = 0; i < 32; i++) dek[i] = (dek[i] as number) ^ (pad[i] as number);
        pads.set(toHex(dek), pad);
        return { kekId: 'kms-1', wrapped: dek };
      },
      async unwrapKey(_kekId, wrapped) {
        const pad = pads.get(toHex(wrapped)) ?? new Uint8Array(32);
        return wrapped.map((b, i) => b ^ (pad[i] as number));
      },
    });
    const envelope = createEnvelope({ provider: inPlace });
    const sealed = await envelope.seal('encrypted in place', { context });
    expect(text(await envelope.open(sealed, { context }))).toBe('encrypted in place');
  });

  it.each([
    ['the array it was handed', (dek: Uint8Array) => dek],
    ['a copy of it', (dek: Uint8Array) => dek.slice()],
    [
      'a Buffer holding it after a prefix',
      (dek: Uint8Array) => Buffer.concat([Buffer.from('kms'), dek]),
    ],
  ])(
    'a "wrapped key" that is the data key (%s) is refused: nothing is sealed',
    async (_n, answer) => {
      const seen: string[] = [];
      // Primary "kms-2", so a rewrap of a value under "kms-1" wraps again.
      const noOp = kms({
        primaryKekId: () => 'kms-2',
        async wrapKey(dek) {
          seen.push(toHex(dek));
          return { kekId: 'kms-2', wrapped: answer(dek) };
        },
      });
      const envelope = createEnvelope({ provider: noOp });
      for (const call of [
        () => envelope.seal('must not be sealed', { context }),
        async () => envelope.rewrap(await sealedByKms(), { context }),
      ]) {
        const error = await rejection(call());
        expect(isCofferError(error, 'KEY_PROVIDER_FAILED')).toBe(true);
        const shown = `${error.message} ${JSON.stringify(error)} ${inspect(error)}`;
        for (const dek of seen) expect(shown).not.toContain(dek);
      }
      expect(seen.length).toBe(2);
    },
  );
});

describe('arrays that are not what they claim', () => {
  class LyingLength extends Uint8Array {
    override get length(): number {
      return 5;
    }
  }

  it('a wrapped key whose length getter lies is copied by its real length', async () => {
    const base = kms();
    const lying = kms({
      async wrapKey(dek, aad) {
        const { wrapped } = await base.wrapKey(dek, aad);
        const out = new LyingLength(wrapped.byteLength);
        out.set(wrapped);
        return { kekId: 'kms-1', wrapped: out };
      },
    });
    const envelope = createEnvelope({ provider: lying });
    const sealed = await envelope.seal('length lies', { context });
    expect(text(await envelope.open(sealed, { context }))).toBe('length lies');
  });

  it('a data key whose length getter says 32 while it holds 31 bytes fails closed', async () => {
    const lying = kms({
      async unwrapKey() {
        const dek = new (class extends Uint8Array {
          override get length(): number {
            return 32;
          }
        })(31);
        return dek;
      },
    });
    const error = await rejection(
      createEnvelope({ provider: lying }).open(await sealedByKms(), { context }),
    );
    expect(isCofferError(error, 'DECRYPT_FAILED')).toBe(true);
  });

  it('a detached data key fails closed with DECRYPT_FAILED, not a TypeError', async () => {
    const detaching = kms({
      async unwrapKey() {
        const dek = new Uint8Array(32);
        structuredClone(dek.buffer, { transfer: [dek.buffer] });
        return dek;
      },
    });
    const error = await rejection(
      createEnvelope({ provider: detaching }).open(await sealedByKms(), { context }),
    );
    expect(isCofferError(error, 'DECRYPT_FAILED')).toBe(true);
  });

  it('impostors of Uint8Array (its prototype, no storage) are refused with typed errors', async () => {
    const impostor = (): Uint8Array => Object.create(Uint8Array.prototype) as Uint8Array;
    const wrapError = await rejection(
      createEnvelope({
        provider: kms({ wrapKey: async () => ({ kekId: 'kms-1', wrapped: impostor() }) }),
      }).seal('v', { context }),
    );
    expect(isCofferError(wrapError, 'KEY_PROVIDER_FAILED')).toBe(true);
    const unwrapError = await rejection(
      createEnvelope({ provider: kms({ unwrapKey: async () => impostor() }) }).open(
        await sealedByKms(),
        { context },
      ),
    );
    expect(isCofferError(unwrapError, 'DECRYPT_FAILED')).toBe(true);
  });
});
