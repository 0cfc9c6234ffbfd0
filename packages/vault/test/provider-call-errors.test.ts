// verifyKeys and rewrapAll ask the key provider for statuses and the primary KEK id themselves,
// outside the envelope. What a provider throws there is handled as the envelope handles it: a
// coffer error passes through; anything else becomes KEY_PROVIDER_FAILED, without the foreign
// message (which could carry request data, an ARN, an account id) or cause.
import { inspect } from 'node:util';
import { CofferError, isCofferError } from '@coffer/core';
import type { KeyProvider } from '@coffer/envelope';
import { describe, expect, it } from 'vitest';
import { createVault } from '../src/index.js';
import { keys, setup } from './_helpers.js';

const LEAK = 'User: arn:aws:iam::123456789012:user/ci is not authorized; RequestId 7f3a9c';

function awsError(): Error {
  return Object.assign(new Error(LEAK), {
    name: 'AccessDeniedException',
    code: 'AccessDeniedException',
    retryable: false,
  });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

function expectMapped(error: Error): void {
  expect(isCofferError(error, 'KEY_PROVIDER_FAILED')).toBe(true);
  expect(error.cause).toBeUndefined();
  expect((error as CofferError).details).toEqual({
    provider: 'local',
    errorName: 'AccessDeniedException',
  });
  for (const surface of [
    error.message,
    JSON.stringify(error),
    inspect(error),
    String(error.stack),
  ]) {
    expect(surface).not.toContain('arn:aws');
    expect(surface).not.toContain('RequestId');
  }
}

/** A working provider whose `which` method throws `thrown`. */
function throwing(which: 'keyStatus' | 'primaryKekId', thrown: () => unknown): KeyProvider {
  const { provider } = keys('one');
  return {
    name: provider.name,
    primaryKekId: () => provider.primaryKekId(),
    keyStatus: (kekId) => provider.keyStatus(kekId),
    wrapKey: (dek, aad) => provider.wrapKey(dek, aad),
    unwrapKey: (kekId, wrapped, aad) => provider.unwrapKey(kekId, wrapped, aad),
    [which]: () => {
      throw thrown();
    },
  };
}

describe('provider errors outside the envelope', () => {
  it.each(['keyStatus', 'primaryKekId'] as const)(
    'verifyKeys maps a foreign error from %s to KEY_PROVIDER_FAILED',
    async (which) => {
      const { store, vault, envelope } = setup();
      await vault.put({ kind: 'k', owner: 'o', value: 'value-0123456789' });
      const provider = throwing(which, awsError);
      expectMapped(await failure(createVault({ store, envelope, provider }).verifyKeys()));
    },
  );

  it('rewrapAll maps a foreign error from primaryKekId to KEY_PROVIDER_FAILED', async () => {
    const { store, vault, envelope } = setup();
    await vault.put({ kind: 'k', owner: 'o', value: 'value-0123456789' });
    const provider = throwing('primaryKekId', awsError);
    expectMapped(await failure(createVault({ store, envelope, provider }).rewrapAll()));
  });

  it('a coffer error from the provider passes through unchanged (e.g. retryable throttling)', async () => {
    const busy = new CofferError('KMS_UNAVAILABLE', 'KMS is throttling; retry later.', {
      retryable: true,
    });
    const { store, vault, envelope } = setup();
    await vault.put({ kind: 'k', owner: 'o', value: 'value-0123456789' });
    for (const which of ['keyStatus', 'primaryKekId'] as const) {
      const provider = throwing(which, () => busy);
      expect(await failure(createVault({ store, envelope, provider }).verifyKeys())).toBe(busy);
    }
  });
});
