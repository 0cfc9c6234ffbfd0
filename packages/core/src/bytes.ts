import { InvalidInputError } from './errors.js';

/**
 * Concatenates byte arrays into one new `Uint8Array`.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when an argument is not a `Uint8Array`.
 * @example
 * ```ts
 * import { concatBytes } from '@coffer/core';
 *
 * concatBytes(new Uint8Array([1]), new Uint8Array([2, 3])); // Uint8Array [1, 2, 3]
 * ```
 */
export function concatBytes(...arrays: ReadonlyArray<Uint8Array>): Uint8Array {
  let length = 0;
  for (const a of arrays) {
    assertBytes(a, 'argument');
    length += a.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

/** @internal Throws INVALID_INPUT unless `value` is a Uint8Array (optionally of an exact length). */
export function assertBytes(
  value: unknown,
  name: string,
  length?: number,
): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new InvalidInputError(`${name} must be a Uint8Array`, { details: { parameter: name } });
  }
  if (length !== undefined && value.length !== length) {
    throw new InvalidInputError(`${name} must be exactly ${length} bytes (got ${value.length})`, {
      details: { parameter: name, expected: length, actual: value.length },
    });
  }
}

/** @internal Throws INVALID_INPUT unless `value` is a string. */
export function assertString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') {
    throw new InvalidInputError(`${name} must be a string`, { details: { parameter: name } });
  }
}
