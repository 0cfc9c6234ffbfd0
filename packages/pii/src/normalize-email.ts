import { invalid, MAX_FIELD_LENGTH, type Normalized, valid } from './normalized.js';
import { cleanText, isPrintableAscii, lower } from './text.js';

// The rule: one "@", something on each side, no whitespace, a dot inside the domain (the pattern
// /^[^\s@]+@[^\s@]+\.[^\s@]+$/u). Deliberately loose: the goal is the same bytes the platform
// hashes, not RFC 5322 validation.

/**
 * Normalizes an e-mail address the way every platform matches it: trimmed, NFC, invisible
 * characters removed, lower-cased (locale-independent). Returns `invalid_format` unless there is
 * exactly one `@` with a dotted domain.
 *
 * @example
 * ```ts
 * import { normalizeEmail } from '@coffer/pii';
 *
 * normalizeEmail('  John.Doe@Example.COM '); // { ok: true, value: 'john.doe@example.com' }
 * normalizeEmail('not an email'); // { ok: false, reason: 'invalid_format' }
 * ```
 */
export function normalizeEmail(input: unknown): Normalized {
  // Fast path for the common case, printable ASCII: trim, lower-case, check the shape.
  if (typeof input === 'string' && input.length <= MAX_FIELD_LENGTH && isPrintableAscii(input)) {
    const value = input.trim().toLowerCase();
    if (value.length === 0) return invalid('empty');
    return isEmailShaped(value, true) ? valid(value) : invalid('invalid_format');
  }
  const cleaned = cleanText(input);
  if (!cleaned.ok) return cleaned;
  const value = lower(cleaned.value);
  return isEmailShaped(value, false) ? valid(value) : invalid('invalid_format');
}

/** The rule above, checked with index scans instead of a regular expression (hot path). */
function isEmailShaped(value: string, printableAscii: boolean): boolean {
  const at = value.indexOf('@');
  if (at <= 0 || at !== value.lastIndexOf('@')) return false;
  // A dot in the domain with at least one character before it and one after it.
  const dot = value.indexOf('.', at + 2);
  if (dot < 0 || dot >= value.length - 1 || value.indexOf(' ') >= 0) return false;
  // Printable ASCII has no whitespace but the space; other text may hold any Unicode space.
  return printableAscii || !WHITESPACE.test(value);
}

const WHITESPACE = /\s/u;

const GOOGLE_MAIL = new Set(['gmail.com', 'googlemail.com']);

/**
 * Google's extra rule, applied after {@link normalizeEmail}: for `gmail.com` and `googlemail.com`
 * addresses, the dots before the `@` are removed (Google ignores them; other providers do not, so
 * no other profile does this). Source: Google Ads API, "Prepare data for Customer Match / enhanced
 * conversions": https://developers.google.com/google-ads/api/docs/conversions/enhanced-conversions/web
 *
 * @example
 * ```ts
 * import { normalizeEmailForGoogle } from '@coffer/pii';
 *
 * normalizeEmailForGoogle('John.Doe@gmail.com'); // { ok: true, value: 'johndoe@gmail.com' }
 * normalizeEmailForGoogle('john.doe@example.com'); // { ok: true, value: 'john.doe@example.com' }
 * ```
 */
export function normalizeEmailForGoogle(input: unknown): Normalized {
  const base = normalizeEmail(input);
  if (!base.ok) return base;
  const at = base.value.lastIndexOf('@');
  const domain = base.value.slice(at + 1);
  if (!GOOGLE_MAIL.has(domain)) return base;
  const local = base.value.slice(0, at).replaceAll('.', '');
  return local.length === 0 ? invalid('invalid_format') : valid(`${local}@${domain}`);
}
