// seal and rewrap read the caller's context once, when called. With a KMS provider they wait for
// the provider between binding the payload and binding the wrapped key; a context object the
// caller changes meanwhile (one object reused across calls that are not awaited one by one) must
// not bind the two layers to different contexts, which leaves a value no context opens; sealed
// bytes the caller reuses meanwhile must not end up in a rewrapped value.
import { aes256GcmOpen, aes256GcmSeal, concatBytes, randomBytes } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  createEnvelope,
  createLocalKeyProvider,
  type Envelope,
  type KeyProvider,
  Keyring,
} from '../src/index.js';
import { envKey, testKey, text } from './_helpers.js';

const KMS_KEY = testKey(0x2f);

/** A KMS stand-in that answers after a timer, as a network call does. */
function slowKms(primary: string): KeyProvider {
  const later = <T>(value: T): Promise<T> =>
    new Promise((resolve) => setTimeout(() => resolve(value), 1));
  return {
    name: 'slow-kms',
    primaryKekId: () => later(primary),
    keyStatus: (kekId) => (kekId === primary ? 'primary' : 'active'),
    async wrapKey(dek, aad) {
      const nonce = randomBytes(12);
      const wrapped = concatBytes(nonce, aes256GcmSeal(KMS_KEY, nonce, dek, aad));
      return later({ kekId: primary, wrapped });
    },
    async unwrapKey(_kekId, wrapped, aad) {
      return later(aes256GcmOpen(KMS_KEY, wrapped.subarray(0, 12), wrapped.subarray(12), aad));
    },
  };
}

async function sealAllWithOneContextObject(envelope: Envelope, ids: string[]) {
  const context: Record<string, string> = { tenant: 'acme' };
  const pending: Promise<Uint8Array>[] = [];
  for (const id of ids) {
    context.vaultId = id;
    pending.push(envelope.seal(`value of ${id}`, { context }));
  }
  return Promise.all(pending);
}

describe('a context object changed while a call waits for the provider', () => {
  it('seal binds both layers to the context as it was when seal was called', async () => {
    const envelope = createEnvelope({ provider: slowKms('kms-1') });
    const ids = ['v_1', 'v_2', 'v_3'];
    const sealed = await sealAllWithOneContextObject(envelope, ids);
    for (const [i, id] of ids.entries()) {
      const opened = await envelope.open(sealed[i] as Uint8Array, {
        context: { tenant: 'acme', vaultId: id },
      });
      expect(text(opened)).toBe(`value of ${id}`);
    }
  });

  it('rewrap binds the new wrapped key to the context as it was when rewrap was called', async () => {
    const before = createEnvelope({ provider: slowKms('kms-1') });
    const after = createEnvelope({ provider: slowKms('kms-2') });
    const ids = ['v_1', 'v_2', 'v_3'];
    const sealed = await sealAllWithOneContextObject(before, ids);
    const context: Record<string, string> = { tenant: 'acme' };
    const pending: Promise<Uint8Array>[] = [];
    for (const [i, id] of ids.entries()) {
      context.vaultId = id;
      pending.push(after.rewrap(sealed[i] as Uint8Array, { context }));
    }
    const rewrapped = await Promise.all(pending);
    for (const [i, id] of ids.entries()) {
      const opened = await after.open(rewrapped[i] as Uint8Array, {
        context: { tenant: 'acme', vaultId: id },
      });
      expect(text(opened)).toBe(`value of ${id}`);
    }
  });

  it('rewrap copies its input before waiting: bytes the caller reuses meanwhile stay out', async () => {
    const before = createEnvelope({ provider: slowKms('kms-1') });
    const context = { vaultId: 'v_1' };
    for (const primary of ['kms-2', 'kms-1']) {
      const after = createEnvelope({ provider: slowKms(primary) });
      const buffer = Buffer.from(await before.seal('kept', { context }));
      const pending = after.rewrap(buffer, { context });
      buffer.fill(0); // e.g. a driver's buffer reused for the next row
      expect(text(await after.open(await pending, { context }))).toBe('kept');
    }
  });

  it('the local provider, which never waits, already behaved so (for comparison)', async () => {
    const envelope = createEnvelope({
      provider: createLocalKeyProvider(Keyring.fromEnv(`*1:${envKey(0x2e)}`)),
    });
    const ids = ['v_1', 'v_2'];
    const sealed = await sealAllWithOneContextObject(envelope, ids);
    for (const [i, id] of ids.entries()) {
      const opened = await envelope.open(sealed[i] as Uint8Array, {
        context: { tenant: 'acme', vaultId: id },
      });
      expect(text(opened)).toBe(`value of ${id}`);
    }
  });
});
