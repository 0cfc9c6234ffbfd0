// Text a SQL column cannot hold as given. PostgreSQL's text columns refuse U+0000; and every driver
// encodes text as UTF-8, where an unpaired UTF-16 surrogate has no encoding (pg and mysql2 send
// U+FFFD in its place). Such input is refused with a typed error before it reaches the driver,
// never half-written; and a condition on such text matches nothing, instead of matching what the
// driver turned it into (another owner's rows).
import { InvalidInputError } from '@coffer/core';

const UNPAIRED_SURROGATE = /\p{Surrogate}/u;

/** @internal Throws INVALID_INPUT when a text value holds U+0000. */
export function assertNulFree(value: string | null, parameter: string): void {
  if (value?.includes('\u0000')) {
    throw new InvalidInputError(
      `${parameter} contains the NUL character (U+0000), which PostgreSQL text columns cannot store. Remove it.`,
      { details: { parameter } },
    );
  }
}

/** @internal Throws INVALID_INPUT when a text value holds an unpaired UTF-16 surrogate. */
export function assertWellFormed(value: string | null, parameter: string): void {
  if (value !== null && UNPAIRED_SURROGATE.test(value)) {
    throw new InvalidInputError(
      `${parameter} contains an unpaired UTF-16 surrogate, which has no UTF-8 encoding: the database would store U+FFFD instead. Remove it.`,
      { details: { parameter } },
    );
  }
}

/**
 * @internal Whether a stored text value can equal `value`: not when it holds an unpaired surrogate
 * (never stored as given), nor U+0000 where text columns refuse it.
 */
export function canBeStored(value: string, nulFree: boolean): boolean {
  return !UNPAIRED_SURROGATE.test(value) && !(nulFree && value.includes('\u0000'));
}
