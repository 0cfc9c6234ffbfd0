// Shared text cleaning for every normalizer: deliberate about Unicode, independent of locale.
import { invalid, MAX_FIELD_LENGTH, type Normalized, valid } from './normalized.js';

// Control characters (C0, DEL, C1: tab, CR, LF, NEL, …) are whitespace here: "jo\ne@x.com" is two
// words, like "jo e@x.com", not "joe@x.com".
const CONTROLS = /\p{Cc}/gu;
// Characters that change nothing a person sees but change every hash: Unicode's
// Default_Ignorable_Code_Point (zero-width space and joiners, bidi controls, word joiner, BOM, soft
// hyphen, combining grapheme joiner, Hangul fillers, variation selectors, tag characters, …).
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

// Full-width and half-width forms (U+FF00–U+FFEF): what East Asian input methods type for Latin
// letters, digits and punctuation ("ｊｏｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", "１００－０００１") and half-width
// katakana. Their compatibility (NFKC) mapping is the plain character; nothing else is folded.
const WIDTH_FORMS = /[\uff00-\uffef]+/gu;

/** What {@link scan} found in text that is not printable ASCII. */
const CLEAN = 1;
const LONE_SURROGATE = 2;
const WIDE = 4;

/**
 * The common first step: refuse non-strings and over-long input, refuse text with a lone UTF-16
 * surrogate (`invalid_format`: it is not text, and would otherwise hash as U+FFFD), turn control
 * characters into spaces, remove default-ignorable (invisible) characters, fold full-width and
 * half-width forms to their plain characters (`ＪＯＨＮ` → `JOHN`, `ｶﾞ` → `ガ`), NFC-normalize and
 * trim Unicode whitespace. Case is left alone (some fields keep it). NFC, not NFKC, is the base:
 * other compatibility characters (`²`, `ﬁ`, `①`) are kept as written.
 */
export function cleanText(input: unknown): Normalized {
  return clean(input, true);
}

/**
 * {@link cleanText} without the width folding, for opaque ids (`ＡＢＣ` and `ABC` may be two ids).
 */
export function cleanId(input: unknown): Normalized {
  return clean(input, false);
}

function clean(input: unknown, foldWidth: boolean): Normalized {
  if (typeof input !== 'string') return invalid('not_a_string');
  if (input.length > MAX_FIELD_LENGTH) return invalid('too_long');
  // Fast path: printable ASCII needs neither NFC nor the invisible-character scan.
  let text: string;
  if (isPrintableAscii(input)) text = input.trim();
  else {
    const found = scan(input);
    if ((found & LONE_SURROGATE) !== 0) return invalid('invalid_format');
    // The regular expressions run only when the scan found something to replace (rare). Invisible
    // characters go before NFC, so that removing one cannot leave a decomposed sequence.
    const visible =
      (found & CLEAN) === 0 ? input : input.replace(CONTROLS, ' ').replace(IGNORABLE, '');
    // Folded after the invisible characters are gone (U+FFA0 is one) and before NFC, which then
    // composes what folding produced ("ｶﾞ" → "カ" + U+3099 → "ガ").
    const folded =
      foldWidth && (found & WIDE) !== 0
        ? visible.replace(WIDTH_FORMS, (forms) => forms.normalize('NFKC'))
        : visible;
    text = nfc(folded).trim();
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

/**
 * One pass over the UTF-16 code units: {@link CLEAN} when a character {@link CONTROLS} or
 * {@link IGNORABLE} matches may be present (a superset check by ranges: every
 * Default_Ignorable_Code_Point of Unicode 15/16, tested exhaustively), {@link WIDE} when a
 * full-width or half-width form is, {@link LONE_SURROGATE} when a surrogate is unpaired.
 */
export function scan(text: string): number {
  let found = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1); // NaN past the end
      if (c >= 0xdc00 || !(next >= 0xdc00 && next <= 0xdfff)) return found | LONE_SURROGATE;
      // Supplementary ignorables: U+1BCA0–1BCA3 (D82F), U+1D173–1D17A (D834), U+E0000–E0FFF (DB40–DB43).
      if (c === 0xd82f || c === 0xd834 || (c >= 0xdb40 && c <= 0xdb43)) found |= CLEAN;
      i++;
    } else if (
      c < 0x20 ||
      (c >= 0x7f && c <= 0x9f) ||
      c === 0xad ||
      c === 0x34f ||
      c === 0x61c ||
      c === 0x115f ||
      c === 0x1160 ||
      c === 0x17b4 ||
      c === 0x17b5 ||
      (c >= 0x180b && c <= 0x180f) ||
      (c >= 0x200b && c <= 0x200f) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2060 && c <= 0x206f) ||
      c === 0x3164 ||
      (c >= 0xfe00 && c <= 0xfe0f) ||
      c === 0xfeff ||
      c === 0xffa0 ||
      (c >= 0xfff0 && c <= 0xfff8)
    ) {
      found |= CLEAN;
    }
    if (c >= 0xff00 && c <= 0xffef) found |= WIDE;
  }
  return found;
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
 * Upper-cases without the host's locale, then NFC again: upper-casing can decompose (`ῒ` becomes
 * `Ϊ` followed by a combining grave), and a second pass must find nothing to change. `text` must
 * already be NFC.
 */
export function upper(text: string): string {
  const raised = text.toUpperCase();
  return raised === text ? raised : nfc(raised);
}

/**
 * NFC, skipped when every character is below U+0300: those are all starters that are their own NFC
 * form and compose with nothing before them (combining marks begin at U+0300), so such text is
 * already NFC. Covers ASCII and Latin-1 (`Zoë`, `Ünal`) without calling into ICU.
 */
export function nfc(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x300) return text.normalize('NFC');
  }
  return text;
}

// Letters and digits of any script survive; everything else (spaces, punctuation, symbols) goes.
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{M}\p{N}]/gu;
// Letters only (with their marks): digits go too.
const NOT_LETTER = /[^\p{L}\p{M}]/gu;

/** Removes whitespace, punctuation and symbols, keeping letters (with their marks) and digits. */
export function lettersAndDigits(text: string): string {
  return nfc(text.replace(NOT_LETTER_OR_DIGIT, ''));
}

/** Removes everything but letters (with their marks): digits, whitespace, punctuation, symbols. */
export function lettersOnly(text: string): string {
  return nfc(text.replace(NOT_LETTER, ''));
}
