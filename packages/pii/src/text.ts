// Shared text cleaning for every normalizer: deliberate about Unicode, independent of locale.
import { invalid, MAX_FIELD_LENGTH, type Normalized, valid } from './normalized.js';

// Characters that change nothing a person sees but change every hash: zero-width spaces and
// joiners, bidirectional controls, the word joiner family, the byte-order mark, soft hyphen, and
// C0/C1 control characters.
const INVISIBLE =
  /[\p{Cc}\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/gu;

/**
 * The common first step: refuse non-strings and over-long input, NFC-normalize, remove invisible
 * characters and trim Unicode whitespace. Case is left alone (some fields keep it).
 */
export function cleanText(input: unknown): Normalized {
  if (typeof input !== 'string') return invalid('not_a_string');
  if (input.length > MAX_FIELD_LENGTH) return invalid('too_long');
  // Fast path: printable ASCII needs neither NFC nor the invisible-character scan.
  // Invisible characters go before NFC, so that removing one cannot leave a decomposed sequence.
  let text: string;
  if (isPrintableAscii(input)) text = input.trim();
  else {
    // The regular expression runs only when a scan found something to remove (rare).
    const visible = hasInvisible(input) ? input.replace(INVISIBLE, '') : input;
    text = nfc(visible).trim();
  }
  return text.length === 0 ? invalid('empty') : valid(text);
}

/** Whether every character is printable ASCII (0x20–0x7e): such text needs no Unicode handling. */
export function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Whether `text` holds a character {@link INVISIBLE} matches: one pass over char codes. */
function hasInvisible(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (
      c < 0x20 ||
      (c >= 0x7f && c <= 0x9f) ||
      c === 0xad ||
      c === 0x61c ||
      c === 0x180e ||
      (c >= 0x200b && c <= 0x200f) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2060 && c <= 0x2064) ||
      (c >= 0x2066 && c <= 0x206f) ||
      c === 0xfeff
    ) {
      return true;
    }
  }
  return false;
}

/**
 * Lower-cases without the host's locale (`toLowerCase`, never `toLocaleLowerCase`: a Turkish
 * locale would turn `I` into `ı` and change the hash). `text` must already be NFC (every caller
 * passes the output of {@link cleanText}); the result is NFC.
 */
export function lower(text: string): string {
  const lowered = text.toLowerCase();
  // NFC input that lower-casing left unchanged is still NFC: skip the second normalization.
  return lowered === text ? lowered : nfc(lowered);
}

/**
 * NFC, skipped when every character is below U+0300: those are all starters that are their own NFC
 * form and compose with nothing before them (combining marks begin at U+0300), so such text is
 * already NFC. Covers ASCII and Latin-1 (`Zoë`, `Ünal`) without calling into ICU.
 */
function nfc(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x300) return text.normalize('NFC');
  }
  return text;
}

// Letters and digits of any script survive; everything else (spaces, punctuation, symbols) goes.
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{M}\p{N}]/gu;

/** Removes whitespace, punctuation and symbols, keeping letters (with their marks) and digits. */
export function lettersAndDigits(text: string): string {
  return nfc(text.replace(NOT_LETTER_OR_DIGIT, ''));
}
