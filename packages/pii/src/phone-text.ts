// Reading a phone number's characters: its digits (in any script), whether it is written in
// international form, and where an extension starts.

/** The digits of a phone number and whether it was written with a leading `+`. */
export interface PhoneText {
  readonly digits: string;
  readonly plus: boolean;
}

// An extension at the end: RFC 3966 ";ext=12", or "x 12", "ext 12", "ext. 12", "extension 12",
// "#12" after the number. It is not part of the E.164 number, so it is cut off, never appended.
// https://www.rfc-editor.org/rfc/rfc3966#section-5.1.5
const EXTENSION = /(?:;\s*ext\s*=|(?:extension|ext\.?|x|#))\s*[.:]?\s*\p{Nd}[\p{Nd}\s]*$/iu;
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
  // The regular expression runs only when an extension marker is present at all.
  if (t.includes('x') || t.includes('X') || t.includes('#') || t.includes(';')) {
    const ext = EXTENSION.exec(t);
    if (ext !== null) t = t.slice(0, ext.index);
  }
  const digits = digitsOf(t);
  return digits === undefined ? undefined : { digits, plus: startsWithPlus(t) };
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

/**
 * The value of a decimal digit. Unicode guarantees that decimal digits (`Nd`) come in contiguous
 * runs of ten, from zero to nine in order, so the value is the number of decimal digits just
 * before it in its run, modulo ten (some runs follow each other directly: U+1D7CE–1D7FF).
 */
function decimalValue(cp: number): number {
  let before = 0;
  while (before < 60 && DECIMAL.test(String.fromCodePoint(cp - before - 1))) before++;
  return before % 10;
}
