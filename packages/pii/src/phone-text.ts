// Reading a phone number's characters: its digits (in any script), whether it is written in
// international form, and where an extension starts.

/** The digits of a phone number and whether it was written with a leading `+`. */
export interface PhoneText {
  readonly digits: string;
  readonly plus: boolean;
}

const TEL_URI = /^tel:/i;
const NUMERIC = /\p{N}/u;
const DECIMAL = /\p{Nd}/u;

/**
 * Reads `text` (already cleaned: NFC, trimmed, no invisible characters). `undefined` when it holds
 * a numeric character that is not a decimal digit (`²`, `①`, `½`, Roman numerals): such a value is
 * refused rather than read with a digit missing. Letters, spaces and punctuation are dropped.
 */
export function readPhone(text: string): PhoneText | undefined {
  let t = TEL_URI.test(text) ? text.slice(4) : text;
  // The scan runs only when an extension marker is present at all.
  if (t.includes('x') || t.includes('X') || t.includes('#') || t.includes(';')) {
    t = t.slice(0, extensionStart(t));
  }
  const digits = digitsOf(t);
  return digits === undefined ? undefined : { digits, plus: startsWithPlus(t) };
}

/**
 * Where an extension at the end of `text` starts (`text.length` when there is none): RFC 3966
 * `;ext=12`, or `x 12`, `ext 12`, `ext. 12`, `extension 12`, `#12` after the number (markers in any
 * ASCII case, then optional spaces, an optional `.` or `:`, and digits and spaces to the end). It is
 * not part of the E.164 number, so it is cut off, never appended.
 * https://www.rfc-editor.org/rfc/rfc3966#section-5.1.5
 *
 * One backward pass, linear in the length: the regular expression it replaces,
 * `/(?:;\s*ext\s*=|extension|ext\.?|x|#)\s*[.:]?\s*\p{Nd}[\p{Nd}\s]*$/iu`, took quadratic time
 * on a marker followed by many spaces (`'x' + ' '.repeat(1021) + '1a'`).
 */
export function extensionStart(text: string): number {
  // Digits and spaces at the end, with at least one digit: `first` is the leftmost digit.
  let i = text.length;
  let first = -1;
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    if (c < 0x80) {
      // ASCII, the usual case: no code point to assemble.
      if (c >= 0x30 && c <= 0x39) first = i - 1;
      else if (!isSpace(c)) break;
      i--;
      continue;
    }
    const before = charBefore(text, i);
    if (isDecimal(before.cp)) first = i - before.length;
    else if (!isSpace(before.cp)) break;
    i -= before.length;
  }
  if (first < 0) return text.length;
  // Then, going back: spaces, an optional "." or ":", spaces, and a marker.
  let j = skipSpaces(text, first);
  const c = text.charCodeAt(j - 1);
  if (c === 0x2e || c === 0x3a) j = skipSpaces(text, j - 1);
  const marker = markerEndingAt(text, j);
  return marker < 0 ? text.length : marker;
}

const MARKERS = ['extension', 'ext.', 'ext', 'x', '#'] as const;

/** Where a marker ending at `end` starts, or -1. */
function markerEndingAt(text: string, end: number): number {
  if (text.charCodeAt(end - 1) === 0x3d) {
    // ";ext=", with spaces around "ext" allowed.
    let k = skipSpaces(text, end - 1);
    if (k < 3 || text.slice(k - 3, k).toLowerCase() !== 'ext') return -1;
    k = skipSpaces(text, k - 3);
    return text.charCodeAt(k - 1) === 0x3b ? k - 1 : -1;
  }
  for (const marker of MARKERS) {
    const start = end - marker.length;
    if (start >= 0 && text.slice(start, end).toLowerCase() === marker) return start;
  }
  return -1;
}

/** The index before the whitespace that ends at `end`. */
function skipSpaces(text: string, end: number): number {
  let k = end;
  while (k > 0 && isSpace(text.charCodeAt(k - 1))) k--;
  return k;
}

/** The code point that ends at index `end` (a surrogate pair counts as one), and its length. */
function charBefore(text: string, end: number): { cp: number; length: number } {
  const low = text.charCodeAt(end - 1);
  if (low >= 0xdc00 && low <= 0xdfff && end >= 2) {
    const high = text.charCodeAt(end - 2);
    if (high >= 0xd800 && high <= 0xdbff) {
      return { cp: (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000, length: 2 };
    }
  }
  return { cp: low, length: 1 };
}

const SPACE = /\s/u;

/** `\s` of a regular expression with the `u` flag. */
function isSpace(cp: number): boolean {
  if (cp < 0x80) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
  return SPACE.test(String.fromCodePoint(cp));
}

function isDecimal(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return DECIMAL.test(String.fromCodePoint(cp));
}

/**
 * Whether the first character that is not whitespace or an opening bracket is a plus sign (`+` or
 * the full-width `＋`): "(+44) 7911 123456" and "[+1] 650…" are international; a `+` further in is
 * punctuation.
 */
function startsWithPlus(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2b || c === 0xff0b) return true;
    if (c === 0x20 || c === 0x28 || c === 0x5b || c === 0x7b || c === 0xff08 || c === 0x3000) {
      continue;
    }
    return false;
  }
  return false;
}

/**
 * The decimal digits of `text` as ASCII, in order: every Unicode decimal digit (`\p{Nd}`: Arabic-
 * Indic `٥`, Devanagari `५`, full-width `５`, …) counts with its value. `undefined` when another
 * numeric character is present.
 */
function digitsOf(text: string): string | undefined {
  let digits = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      digits += text[i];
      continue;
    }
    if (c < 0x80) continue;
    const cp = text.codePointAt(i) ?? c;
    const ch = String.fromCodePoint(cp);
    if (cp > 0xffff) i++;
    if (!NUMERIC.test(ch)) continue;
    if (!DECIMAL.test(ch)) return undefined;
    digits += String(decimalValue(cp));
  }
  return digits;
}

// Values found so far, by code point: at most the ~700 decimal digits Unicode has, so a value with
// 512 copies of the last digit of a 50-digit run costs one walk back, not 512.
const VALUES = new Map<number, number>();

/**
 * The value of a decimal digit. Unicode guarantees that decimal digits (`Nd`) come in contiguous
 * runs of ten, from zero to nine in order, so the value is the number of decimal digits just
 * before it in its run, modulo ten (some runs follow each other directly: U+1D7CE–1D7FF).
 */
function decimalValue(cp: number): number {
  const known = VALUES.get(cp);
  if (known !== undefined) return known;
  let before = 0;
  while (before < 60 && DECIMAL.test(String.fromCodePoint(cp - before - 1))) before++;
  VALUES.set(cp, before % 10);
  return before % 10;
}
