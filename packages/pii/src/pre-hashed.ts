// Which raw input counts as already hashed: decided on the value as received, never on a
// normalized one (a name that becomes 64 hex characters once its punctuation is removed is a name).
import { MAX_FIELD_LENGTH } from './normalized.js';
import type { PiiField } from './pii-fields.js';

const HEX64 = /^[0-9a-f]{64}$/i;
const LOWER_HEX64 = /^[0-9a-f]{64}$/;

/**
 * The digest in `raw` when the field arrived already SHA-256 hashed: the trimmed value is exactly 64
 * hexadecimal characters. It comes back lower-cased; for `externalId`, whose case is kept (ids are
 * case-sensitive), only lower-case hex counts, so `ABC…` and `abc…` stay two ids. `undefined`
 * otherwise (normalize and hash it).
 */
export function preHashed(field: PiiField, raw: string): string | undefined {
  if (raw.length < 64 || raw.length > MAX_FIELD_LENGTH) return undefined;
  const value = raw.length === 64 ? raw : raw.trim();
  if (field === 'externalId') return LOWER_HEX64.test(value) ? value : undefined;
  return HEX64.test(value) ? value.toLowerCase() : undefined;
}
