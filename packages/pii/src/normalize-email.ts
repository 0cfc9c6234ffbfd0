import { invalid, type Normalized, valid } from './normalized.js';
import { cleanText, lower } from './text.js';

// One "@", something on each side, no whitespace, a dot in the domain. Deliberately loose: the
// goal is the same bytes the platform hashes, not RFC 5322 validation.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

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
  const cleaned = cleanText(input);
  if (!cleaned.ok) return cleaned;
  const value = lower(cleaned.value);
  return EMAIL.test(value) ? valid(value) : invalid('invalid_format');
}

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
