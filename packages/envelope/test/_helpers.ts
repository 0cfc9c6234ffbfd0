// Shared test helpers: fixed keys, keyrings, and error-code capture.
import { toBase64Url } from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, type Envelope, Keyring } from '../src/index.js';

/** A fixed test key: 32 bytes of `byte`. */
export function testKey(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

/** Env text for a key made by {@link testKey}. */
export function envKey(byte: number): string {
  return toBase64Url(testKey(byte));
}

/** An envelope over a local provider for `envText`. */
export function envelopeFor(envText: string): Envelope {
  return createEnvelope({ provider: createLocalKeyProvider(Keyring.fromEnv(envText)) });
}

/** The `code` of what `promise` rejects with; fails the test if it resolves. */
export async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code ?? `non-coffer ${String(error)}`;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** The `code` of what `fn` throws; fails the test if it returns. */
export function thrownCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code ?? `non-coffer ${String(error)}`;
  }
  throw new Error('expected a throw, but the call returned');
}

/** The error `promise` rejects with. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** Byte equality for large arrays (vitest's deep equality walks them element by element). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(
    Buffer.from(b.buffer, b.byteOffset, b.length),
  );
}
