import { InvalidInputError } from '@coffer/core';

/**
 * Builds the display preview of a string value for one kind (see `createVault`'s `previews`).
 * The result is stored in clear, so it must never be enough to reconstruct the value: the vault
 * rejects a preview with more than a third of the value's characters (not counting `…`) or more
 * than 64 characters, and a function that throws (`INVALID_INPUT`; nothing is stored). Control
 * characters in what it returns (U+0000–U+001F, U+007F–U+009F) and unpaired UTF-16 surrogates (a
 * surrogate pair cut in half) are stored as U+FFFD.
 *
 * @example
 * ```ts
 * import type { PreviewFunction } from '@coffer/vault';
 *
 * const webhookPreview: PreviewFunction = () => 'whsec_…';
 * ```
 */
export type PreviewFunction = (value: string) => string;

const ELLIPSIS = '…';
const SEPARATORS = new Set(['-', '_', '.', ':', '/']);
const MIN_LENGTH = 12;
const MAX_PREVIEW = 64;
const SURROGATE = /[\uD800-\uDFFF]/;
// C0 and C1 controls: a preview is display text, and NUL cannot be stored in PostgreSQL text.
const CONTROL = /\p{Cc}/gu;
const REPLACEMENT = '\uFFFD';

// A surrogate without its pair (a custom preview that cut one in half): not text any driver can
// encode as UTF-8, so each SQL store would keep U+FFFD and the memory store the half.
const UNPAIRED = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The preview as display text: every control character (NUL included) and every unpaired
 * surrogate becomes U+FFFD.
 */
function displayable(preview: string): string {
  return preview.replace(CONTROL, REPLACEMENT).replace(UNPAIRED, REPLACEMENT);
}

/**
 * The default preview: a short non-secret-looking prefix (up to and including the last separator
 * in the first 8 characters, e.g. `sk-proj-`; otherwise the first 4 characters), `…`, and the last
 * 4 characters — trimmed so that at most a third of the value shows. Values shorter than 12
 * characters preview as `…` alone. Control characters (NUL included) show as U+FFFD, so every
 * store can keep the preview as text.
 *
 * @example
 * ```ts
 * import { defaultPreview } from '@coffer/vault';
 *
 * defaultPreview('sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c'); // 'sk-proj-…6b5c'
 * defaultPreview('short'); // '…'
 * defaultPreview('\u0000tok_0123456789\u0000'); // '\uFFFD…789\uFFFD'
 * ```
 */
export function defaultPreview(value: string): string {
  if (value.length < MIN_LENGTH) return ELLIPSIS;
  // Work on code points; plain BMP strings (the usual token) take the fast path.
  if (!SURROGATE.test(value)) return displayable(previewOf(value, value.length, value));
  const chars = Array.from(value);
  return chars.length < MIN_LENGTH ? ELLIPSIS : displayable(previewOf(chars, chars.length, value));
}

function previewOf(chars: string | string[], length: number, value: string): string {
  const budget = Math.floor(length / 3);
  const tailLength = Math.min(4, budget);
  let headLength = 0;
  for (let i = 0; i < 8; i++) if (SEPARATORS.has(chars[i] ?? '')) headLength = i + 1;
  if (headLength === 0) headLength = 4;
  headLength = Math.max(0, Math.min(headLength, budget - tailLength));
  if (typeof chars === 'string') {
    return `${value.slice(0, headLength)}${ELLIPSIS}${value.slice(length - tailLength)}`;
  }
  return `${chars.slice(0, headLength).join('')}${ELLIPSIS}${chars.slice(length - tailLength).join('')}`;
}

/** Computes and checks the preview of a value (internal). */
export function computePreview(
  value: string | Uint8Array,
  kind: string,
  previews: Readonly<Record<string, PreviewFunction>> | undefined,
): string {
  if (typeof value !== 'string') return ELLIPSIS;
  const custom =
    previews !== undefined && Object.hasOwn(previews, kind) ? previews[kind] : undefined;
  if (custom === undefined) return defaultPreview(value);
  let preview: unknown;
  try {
    preview = custom(value);
  } catch {
    // The function's own error is dropped: it could quote the value.
    throw new InvalidInputError(`The preview function for kind "${kind}" threw.`, {
      details: { parameter: 'previews', kind },
    });
  }
  if (typeof preview !== 'string') {
    throw new InvalidInputError(
      `The preview function for kind "${kind}" did not return a string.`,
      {
        details: { parameter: 'previews', kind },
      },
    );
  }
  const shown = Array.from(preview.replaceAll(ELLIPSIS, '')).length;
  if (
    preview.length > MAX_PREVIEW ||
    shown > Math.floor(Array.from(value).length / 3) ||
    (shown > 0 && preview === value)
  ) {
    throw new InvalidInputError(
      `The preview function for kind "${kind}" shows too much: at most a third of the value (and 64 characters) may appear in a preview.`,
      { details: { parameter: 'previews', kind } },
    );
  }
  return displayable(preview);
}
