// An independent, deliberately plain implementation of format v1 as docs/envelope-format.md
// specifies it, built from @coffer/core primitives only. The fixture generator uses it to make the
// committed known-answer vectors and the fixture test rebuilds every vector with it, so the spec,
// the fixtures and the package cannot drift apart silently.
import {
  aes256GcmSeal,
  concatBytes,
  hmacSha256,
  utf8Encode,
  xchacha20Poly1305Seal,
} from '@coffer/core';

export interface ReferenceInput {
  /** 32-byte KEK. */
  kek: Uint8Array;
  kekId: string;
  algorithm: 'aes-256-gcm' | 'xchacha20-poly1305';
  context: Record<string, string>;
  plaintext: Uint8Array;
  /** 32-byte data key. */
  dek: Uint8Array;
  /** 20-byte session seed. */
  seed: Uint8Array;
  /** Wrap counter within the session, 0 to 2^24 - 1. */
  counter: number;
}

function u32(n: number): Uint8Array {
  return new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}

/** u32 count, then (u32 len, key, u32 len, value) per entry sorted by the key's UTF-8 bytes. */
export function referenceContext(context: Record<string, string>): Uint8Array {
  const entries = Object.entries(context)
    .map(([k, v]) => [utf8Encode(k), utf8Encode(v)] as const)
    .sort((x, y) => compareBytes(x[0], y[0]));
  const parts: Uint8Array[] = [u32(entries.length)];
  for (const [k, v] of entries) parts.push(u32(k.length), k, u32(v.length), v);
  return concatBytes(...parts);
}

export const ALGORITHM_BYTE = { 'aes-256-gcm': 1, 'xchacha20-poly1305': 2 } as const;

export function referenceAad(
  algorithm: ReferenceInput['algorithm'],
  context: Record<string, string>,
  kekId: string,
): { payloadAad: Uint8Array; wrapAad: Uint8Array } {
  const id = utf8Encode(kekId);
  const payloadAad = concatBytes(
    new Uint8Array([1, ALGORITHM_BYTE[algorithm]]),
    referenceContext(context),
  );
  return { payloadAad, wrapAad: concatBytes(payloadAad, new Uint8Array([id.length]), id) };
}

export function referenceSeal(input: ReferenceInput): Uint8Array {
  const id = utf8Encode(input.kekId);
  const { payloadAad, wrapAad } = referenceAad(input.algorithm, input.context, input.kekId);
  const info = concatBytes(
    utf8Encode('coffer/envelope/v1/local-wrap'),
    new Uint8Array([0, id.length]),
    id,
    input.seed,
  );
  const wrappingKey = hmacSha256(input.kek, concatBytes(info, new Uint8Array([1])));
  const counter = u32(input.counter);
  const wrapNonce = concatBytes(new Uint8Array(8), counter);
  const wrapped = concatBytes(
    input.seed,
    counter,
    aes256GcmSeal(wrappingKey, wrapNonce, input.dek, wrapAad),
  );
  const payload =
    input.algorithm === 'aes-256-gcm'
      ? aes256GcmSeal(input.dek, new Uint8Array(12), input.plaintext, payloadAad)
      : xchacha20Poly1305Seal(input.dek, new Uint8Array(24), input.plaintext, payloadAad);
  return concatBytes(
    new Uint8Array([1, ALGORITHM_BYTE[input.algorithm], id.length]),
    id,
    new Uint8Array([wrapped.length >>> 8, wrapped.length & 0xff]),
    wrapped,
    payload,
  );
}
