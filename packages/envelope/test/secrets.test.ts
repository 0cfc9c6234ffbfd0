// Nothing secret — keys, data keys, plaintexts, context values — in an error's message, details,
// cause, JSON or util.inspect, nor in how the package's objects print.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createEnvelope, createLocalKeyProvider, inspectSealed, Keyring } from '../src/index.js';
import { envKey, rejection } from './_helpers.js';

const KEY_TEXT = envKey(0x5a);
const OLD_KEY_TEXT = envKey(0x6b);
const PLAINTEXT = 'EAAG-PLAINTEXT-MARKER-4242';
const CONTEXT_VALUE = 'CONTEXT-VALUE-MARKER-7777';

function surfacesOf(value: unknown): string[] {
  const error = value as Error;
  return [
    String(value),
    error.message ?? '',
    error.stack ?? '',
    JSON.stringify(value),
    inspect(value, { depth: 10, showHidden: true }),
    JSON.stringify((value as { details?: unknown }).details ?? null),
  ];
}

function expectClean(value: unknown): void {
  for (const surface of surfacesOf(value)) {
    for (const secret of [KEY_TEXT, OLD_KEY_TEXT, PLAINTEXT, CONTEXT_VALUE]) {
      expect(surface).not.toContain(secret.slice(0, 12));
    }
  }
  expect((value as Error).cause).toBeUndefined();
}

describe('no secrets leak', () => {
  const keyring = Keyring.fromEnv(`*k2:${KEY_TEXT},!k1:${OLD_KEY_TEXT}`);
  const provider = createLocalKeyProvider(keyring);
  const envelope = createEnvelope({ provider });
  const context = { vaultId: 'v_1', tenant: CONTEXT_VALUE };

  it('from the objects themselves', () => {
    expectClean(keyring);
    expectClean(provider);
    expectClean(envelope);
    expect(inspect(provider)).not.toMatch(/Uint8Array/);
  });

  it('from every failure of open, rewrap and inspect', async () => {
    const sealed = await envelope.seal(PLAINTEXT, { context });
    const altered = sealed.slice();
    altered[altered.length - 1] = (altered[altered.length - 1] as number) ^ 1;
    const failures: unknown[] = [
      await rejection(envelope.open(altered, { context })),
      await rejection(
        envelope.open(sealed, { context: { ...context, tenant: `${CONTEXT_VALUE}!` } }),
      ),
      await rejection(envelope.rewrap(sealed, { context: {} })),
      await rejection(envelope.openString('cf1.garbage', { context })),
      await rejection(envelope.seal(PLAINTEXT, { context: { bad: 5 as unknown as string } })),
      await rejection(envelope.seal(PLAINTEXT, { context: { [`key ${CONTEXT_VALUE}`]: 'v' } })),
      await rejection(envelope.seal(`${PLAINTEXT}\ud800`, { context })),
    ];
    try {
      inspectSealed(altered.subarray(0, 10));
    } catch (error) {
      failures.push(error);
    }
    const retired = await createEnvelope({
      provider: createLocalKeyProvider(Keyring.fromEnv(`*k1:${OLD_KEY_TEXT}`)),
    }).seal(PLAINTEXT, { context });
    failures.push(await rejection(envelope.open(retired, { context })));
    failures.push(
      await rejection(
        createEnvelope({
          provider: createLocalKeyProvider(Keyring.fromEnv(`*zz:${envKey(0x41)}`)),
        }).open(sealed, {
          context,
        }),
      ),
    );
    expect(failures.map((f) => (f as { code: string }).code)).toEqual([
      'DECRYPT_FAILED',
      'DECRYPT_FAILED',
      'DECRYPT_FAILED',
      'DECRYPT_FAILED',
      'INVALID_CONTEXT',
      'INVALID_CONTEXT',
      'INVALID_INPUT',
      'DECRYPT_FAILED',
      'RETIRED_KEK',
      'UNKNOWN_KEK',
    ]);
    for (const failure of failures) expectClean(failure);
  });

  it('from keyring parse errors, even when the key text is the thing that is wrong', () => {
    const attempts = [
      `*k2:${KEY_TEXT}x`,
      `*k2:${KEY_TEXT.slice(1)}`,
      `${KEY_TEXT}`,
      `*${KEY_TEXT}:${KEY_TEXT}`,
      `*k2:${KEY_TEXT},k2:${OLD_KEY_TEXT}`,
      `*k2:${KEY_TEXT},k3:${KEY_TEXT}`,
      `k2:${KEY_TEXT}`,
    ];
    for (const attempt of attempts) {
      let caught: unknown;
      try {
        Keyring.fromEnv(attempt);
      } catch (error) {
        caught = error;
      }
      expect((caught as { code?: string }).code).toBe('INVALID_KEYRING');
      expectClean(caught);
    }
  });
});
