// Retry-After (RFC 9110 §10.2.3): either delay-seconds (1*DIGIT) or an HTTP-date (§5.6.7), which a
// recipient must accept in all three forms: IMF-fixdate, the obsolete RFC 850 form and asctime.

/**
 * The longest wait any rate-limit answer can impose: one hour. A provider (or a stand-in) that
 * says "retry in a year" must not park a customer's key for a year; after an hour the key is
 * tried again, and a provider that is still limiting it says so again.
 *
 * @example
 * ```ts
 * import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '@coffer/provider-keys';
 *
 * parseRetryAfter('31536000') === MAX_RETRY_AFTER_MS; // true: a year is cut to an hour
 * ```
 */
export const MAX_RETRY_AFTER_MS = 3_600_000;

const DAY_NAMES = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const LONG_DAY_NAMES = 'Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = MONTHS.join('|');
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// Sun, 06 Nov 1994 08:49:37 GMT
const IMF_FIXDATE = new RegExp(`^(?:${DAY_NAMES}), (\\d{2}) (${MONTH}) (\\d{4}) ${TIME} GMT$`);
// Sunday, 06-Nov-94 08:49:37 GMT
const RFC850 = new RegExp(`^(?:${LONG_DAY_NAMES}), (\\d{2})-(${MONTH})-(\\d{2}) ${TIME} GMT$`);
// Sun Nov  6 08:49:37 1994
const ASCTIME = new RegExp(`^(?:${DAY_NAMES}) (${MONTH}) ( \\d|\\d{2}) ${TIME} (\\d{4})$`);
const DELAY_SECONDS = /^\d{1,12}$/;

function utc(
  year: number,
  month: string,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number | undefined {
  const monthIndex = MONTHS.indexOf(month);
  // A leap second (60) is read as the last second of the minute.
  if (hour > 23 || minute > 59 || second > 60 || day < 1 || monthIndex < 0) return undefined;
  const time = Date.UTC(year, monthIndex, day, hour, minute, Math.min(second, 59));
  const check = new Date(time);
  // 31 Feb and the like roll over into the next month: not a date.
  return check.getUTCDate() === day && check.getUTCMonth() === monthIndex ? time : undefined;
}

/**
 * Parses an HTTP-date in any of its three forms to milliseconds since the epoch, or `undefined`.
 * `now` resolves the two-digit years of the RFC 850 form (a date more than 50 years ahead is in
 * the previous century).
 */
export function parseHttpDate(value: string, now: number): number | undefined {
  let match = IMF_FIXDATE.exec(value);
  if (match !== null) {
    const [, day, month, year, h, m, s] = match;
    return utc(Number(year), month ?? '', Number(day), Number(h), Number(m), Number(s));
  }
  match = RFC850.exec(value);
  if (match !== null) {
    const [, day, month, yy, h, m, s] = match;
    const currentYear = new Date(now).getUTCFullYear();
    let year = Math.floor(currentYear / 100) * 100 + Number(yy);
    if (year > currentYear + 50) year -= 100;
    return utc(year, month ?? '', Number(day), Number(h), Number(m), Number(s));
  }
  match = ASCTIME.exec(value);
  if (match !== null) {
    const [, month, day, h, m, s, year] = match;
    return utc(Number(year), month ?? '', Number(day?.trim()), Number(h), Number(m), Number(s));
  }
  return undefined;
}

/** Clamps a wait to `0 … MAX_RETRY_AFTER_MS`; `undefined` for anything that is not a number. */
export function clampWait(ms: number): number | undefined {
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.ceil(ms)));
}

/**
 * Reads a `Retry-After` value as a wait in milliseconds: delay-seconds (`120`) or an HTTP-date in
 * any of the three forms RFC 9110 requires recipients to accept. A date in the past is `0`; any
 * wait is capped at {@link MAX_RETRY_AFTER_MS}. Anything else — a negative or fractional number,
 * a list (`120, 30`, as two conflicting headers arrive), a date with a time zone other than GMT,
 * 31 February — is `undefined`: the caller decides its own backoff.
 *
 * @param value The header's value (`undefined` and `null` allowed).
 * @param now Milliseconds since the epoch to measure a date against (default `Date.now()`).
 * @returns The wait in milliseconds, or `undefined`.
 *
 * @example
 * ```ts
 * import { parseRetryAfter } from '@coffer/provider-keys';
 *
 * parseRetryAfter('120'); // 120000
 * parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 7)); // 30000
 * parseRetryAfter('-1'); // undefined
 * parseRetryAfter('999999'); // 3600000 (MAX_RETRY_AFTER_MS)
 * ```
 */
export function parseRetryAfter(
  value: string | undefined | null,
  now: number = Date.now(),
): number | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const trimmed = value.replace(/^[ \t]+|[ \t]+$/g, '');
  if (DELAY_SECONDS.test(trimmed)) return clampWait(Number(trimmed) * 1000);
  const date = parseHttpDate(trimmed, now);
  return date === undefined ? undefined : clampWait(date - now);
}
