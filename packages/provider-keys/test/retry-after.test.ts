// Retry-After as RFC 9110 defines it: delay-seconds, or an HTTP-date in any of its three forms.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '../src/index.js';

// RFC 9110 §5.6.7's example instant, and "now" 30 s before it.
const INSTANT = Date.UTC(1994, 10, 6, 8, 49, 37);
const NOW = INSTANT - 30_000;

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['1', 1000],
    ['120', 120_000],
    ['  45\t', 45_000],
    ['3600', MAX_RETRY_AFTER_MS],
    ['999999999999', MAX_RETRY_AFTER_MS],
  ])('delay-seconds %j → %i', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([
    ['IMF-fixdate', 'Sun, 06 Nov 1994 08:49:37 GMT'],
    ['obsolete RFC 850', 'Sunday, 06-Nov-94 08:49:37 GMT'],
    ['asctime', 'Sun Nov  6 08:49:37 1994'],
  ])('the three HTTP-date forms (%s) name the same instant', (_form, value) => {
    expect(parseRetryAfter(value, NOW)).toBe(30_000);
  });

  it('a date in the past is a wait of 0; a far date is capped', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', INSTANT + 5_000)).toBe(0);
    expect(parseRetryAfter('Fri, 31 Dec 2100 23:59:59 GMT', NOW)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('RFC 850 two-digit years more than 50 years ahead are in the previous century', () => {
    const now = Date.UTC(2026, 0, 1);
    // 70 → 2070 would be 44 years ahead: kept. 99 → 2099 is 73 years ahead: 1999 (a past date).
    expect(parseRetryAfter('Thursday, 01-Jan-70 00:00:00 GMT', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Friday, 01-Jan-99 00:00:00 GMT', now)).toBe(0);
  });

  it.each([
    undefined,
    null,
    '',
    '-1',
    '+5',
    '1.5',
    '1e3',
    '0x10',
    '120, 30',
    '120 seconds',
    'soon',
    'Sun, 06 Nov 1994 08:49:37 PST',
    'Sun, 06 Nov 1994 08:49:37 +0000',
    'Sun, 6 Nov 1994 08:49:37 GMT',
    'Sun, 31 Feb 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 24:00:00 GMT',
    'Sun, 06 Nov 1994 08:60:00 GMT',
    '1994-11-06T08:49:37Z',
    'Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT',
    '9'.repeat(65),
  ])('%j is not a Retry-After value', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it('a leap second reads as the last second of the minute', () => {
    expect(
      parseRetryAfter('Sat, 31 Dec 2016 23:59:60 GMT', Date.UTC(2016, 11, 31, 23, 59, 0)),
    ).toBe(59_000);
  });

  it('never throws, and any answer is a whole wait within the cap', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80 }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        (value, now) => {
          const wait = parseRetryAfter(value, now);
          if (wait !== undefined) {
            expect(Number.isInteger(wait)).toBe(true);
            expect(wait).toBeGreaterThanOrEqual(0);
            expect(wait).toBeLessThanOrEqual(MAX_RETRY_AFTER_MS);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('an IMF-fixdate written from any instant reads back as that instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3600 }), (seconds) => {
        const now = Date.UTC(2026, 11, 4, 12, 0, 0);
        expect(parseRetryAfter(new Date(now + seconds * 1000).toUTCString(), now)).toBe(
          seconds * 1000,
        );
      }),
    );
  });
});
