// PostgreSQL's text columns cannot hold U+0000: such input is refused with a typed error before
// it reaches the driver, never half-written.
import { InvalidInputError } from '@coffer/core';

/** @internal Throws INVALID_INPUT when a text value holds U+0000. */
export function assertNulFree(value: string | null, parameter: string): void {
  if (value?.includes('\u0000')) {
    throw new InvalidInputError(
      `${parameter} contains the NUL character (U+0000), which PostgreSQL text columns cannot store. Remove it.`,
      { details: { parameter } },
    );
  }
}
