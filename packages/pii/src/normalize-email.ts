import { invalid, MAX_FIELD_LENGTH, type Normalized, valid } from './normalized.js';
import { cleanText, lower, nfc } from './text.js';

// The rule: one "@", something on each side, no whitespace, a dot inside the domain (the pattern
// /^[^\s@]+@[^\s@]+\.[^\s@]+$/u), checked after a `mailto:` prefix and one trailing dot (the DNS
// root, `example.com.`) are removed. Deliberately loose: the goal is the same bytes the platform
// hashes, not RFC 5322 validation.

/**
 * Normalizes an e-mail address the way every platform matches it: trimmed, NFC, invisible
 * characters removed, lower-cased (locale-independent). A `mailto:` link is read as the address it
 * holds (`mailto:Jane@Example.com?subject=Hi` → `jane@example.com`, percent-escapes decoded), and
 * a trailing dot after the domain (the DNS root: `jane@gmail.com.`) is removed: nobody's account
 * is registered with either. Returns `invalid_format` unless there is then exactly one `@` with a
 * dotted domain.
 *
 * @example
 * ```ts
 * import { normalizeEmail } from '@coffer/pii';
 *
 * normalizeEmail('  John.Doe@Example.COM '); // { ok: true, value: 'john.doe@example.com' }
 * normalizeEmail('mailto:jane@example.com.'); // { ok: true, value: 'jane@example.com' }
 * normalizeEmail('not an email'); // { ok: false, reason: 'invalid_format' }
 * ```
 */
export function normalizeEmail(input: unknown): Normalized {
  // Fast path for the common case, printable ASCII: one scan, then at most a slice and a lower-case.
  if (typeof input === 'string' && input.length <= MAX_FIELD_LENGTH) {
    const fast = normalizeAsciiEmail(input);
    if (fast !== undefined) return fast;
  }
  const cleaned = cleanText(input);
  if (!cleaned.ok) return cleaned;
  let value = lower(cleaned.value);
  // A loop, so the result never starts with "mailto:" (normalizing it again changes nothing).
  while (value.startsWith(MAILTO)) {
    const address = mailtoAddress(value);
    if (address === undefined) return invalid('invalid_format');
    value = address;
  }
  // The DNS root label: "example.com." is "example.com".
  if (value.endsWith('.') && !value.endsWith('..')) value = value.slice(0, -1);
  return isEmailShaped(value) ? valid(value) : invalid('invalid_format');
}

const MAILTO = 'mailto:';

/**
 * The address of a lower-cased `mailto:` URI (RFC 6068): up to the `?` that starts its header
 * fields, percent-escapes decoded, then cleaned and lower-cased like any input. `undefined` for a
 * malformed escape or nothing left. Several addresses (`a@x.com,b@y.com`) stay several, and fail
 * the one-`@` rule.
 */
function mailtoAddress(uri: string): string | undefined {
  const end = uri.indexOf('?');
  const encoded = uri.slice(MAILTO.length, end < 0 ? uri.length : end);
  let decoded = encoded;
  if (encoded.includes('%')) {
    try {
      decoded = decodeURIComponent(encoded);
    } catch {
      return undefined;
    }
  }
  const cleaned = cleanText(decoded);
  return cleaned.ok ? lower(cleaned.value) : undefined;
}

/**
 * The printable-ASCII case in one pass over the characters: finds the first and last non-space,
 * the `@`s, upper-case letters and inner spaces; `undefined` when a character is not printable
 * ASCII (the general path handles it). Same results as trim, lower-case and {@link isEmailShaped}.
 */
function normalizeAsciiEmail(input: string): Normalized | undefined {
  let first = -1;
  let last = -1;
  let at = -1;
  let ats = 0;
  let upper = false;
  let space = false;
  let innerSpace = false;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return undefined;
    if (c === 0x20) {
      if (first >= 0) space = true;
      continue;
    }
    if (first < 0) first = i;
    else if (space) innerSpace = true;
    space = false;
    last = i;
    if (c === 0x40) {
      ats++;
      at = i;
    } else if (c >= 0x41 && c <= 0x5a) upper = true;
  }
  if (first < 0) return invalid('empty');
  // A trailing dot (the DNS root) or a mailto: link (a ":" 7th): the general path reads them.
  if (input.charCodeAt(last) === 0x2e) return undefined;
  if (
    input.charCodeAt(first + 6) === 0x3a &&
    input.slice(first, first + 7).toLowerCase() === MAILTO
  ) {
    return undefined;
  }
  if (innerSpace || ats !== 1 || at === first) return invalid('invalid_format');
  // A dot in the domain with at least one character before it and one after it.
  const dot = input.indexOf('.', at + 2);
  if (dot < 0 || dot >= last) return invalid('invalid_format');
  const trimmed = first === 0 && last === input.length - 1 ? input : input.slice(first, last + 1);
  return valid(upper ? trimmed.toLowerCase() : trimmed);
}

/** The rule above, checked with index scans instead of a regular expression (hot path). */
function isEmailShaped(value: string): boolean {
  const at = value.indexOf('@');
  if (at <= 0 || at !== value.lastIndexOf('@')) return false;
  // A dot in the domain with at least one character before it and one after it.
  const dot = value.indexOf('.', at + 2);
  if (dot < 0 || dot >= value.length - 1 || value.indexOf(' ') >= 0) return false;
  // Text that is not printable ASCII may hold any Unicode space.
  return !WHITESPACE.test(value);
}

const WHITESPACE = /\s/u;

const GOOGLE_MAIL = new Set(['gmail.com', 'googlemail.com']);

/**
 * Google's extra rule, applied after {@link normalizeEmail}: for `gmail.com` and `googlemail.com`
 * addresses, a `+tag` and every dot before the `@` are removed (Gmail delivers
 * `cloudy.sanfrancisco+shopping@gmail.com` to `cloudysanfrancisco@gmail.com`; other providers do
 * not ignore them, so no other profile does this). The domain is kept as written. Sources: Google's
 * user-data formatting rules, https://developers.google.com/data-manager/api/devguides/concepts/formatting
 * ("If the email address has the gmail.com or googlemail.com domain, remove all dots (.) before the
 * @ symbol"), and Google's own formatter, which also removes the `+tag`, with this example as a
 * test: https://github.com/googleads/data-manager-node/blob/main/util/src/formatter.ts
 *
 * @example
 * ```ts
 * import { normalizeEmailForGoogle } from '@coffer/pii';
 *
 * normalizeEmailForGoogle('Cloudy.SanFrancisco+shopping@gmail.com'); // { ok: true, value: 'cloudysanfrancisco@gmail.com' }
 * normalizeEmailForGoogle('john.doe+news@example.com'); // { ok: true, value: 'john.doe+news@example.com' }
 * ```
 */
export function normalizeEmailForGoogle(input: unknown): Normalized {
  const base = normalizeEmail(input);
  if (!base.ok) return base;
  const at = base.value.lastIndexOf('@');
  const domain = base.value.slice(at + 1);
  if (!GOOGLE_MAIL.has(domain)) return base;
  const plus = base.value.indexOf('+');
  // NFC again: removing a dot can bring a letter and a combining mark together ("e.\u0301").
  const local = nfc(base.value.slice(0, plus >= 0 && plus < at ? plus : at).replaceAll('.', ''));
  return local.length === 0 ? invalid('invalid_format') : valid(`${local}@${domain}`);
}
