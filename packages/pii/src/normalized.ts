/** Why a value could not be normalized. Never contains the value itself. */
export type InvalidReason = 'not_a_string' | 'empty' | 'too_long' | 'invalid_format';

/** The outcome of a normalizer: the normalized string, or why there is none. Never throws. */
export type Normalized =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly reason: InvalidReason };

/**
 * Longest input a normalizer looks at, in UTF-16 code units (1 KiB of text). Longer input is
 * refused as `too_long` before any other work, so a 10 MB field costs nothing.
 *
 * @example
 * ```ts
 * import { MAX_FIELD_LENGTH, normalizeEmail } from '@coffer/pii';
 *
 * normalizeEmail('a'.repeat(MAX_FIELD_LENGTH + 1)); // { ok: false, reason: 'too_long' }
 * ```
 */
export const MAX_FIELD_LENGTH = 1024;

export const valid = (value: string): Normalized => ({ ok: true, value });
export const invalid = (reason: InvalidReason): Normalized => ({ ok: false, reason });
