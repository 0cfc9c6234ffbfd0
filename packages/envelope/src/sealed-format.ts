// The sealed-value byte layout (format version 1), its text form, and reading the public header.
// Layout (docs/envelope-format.md):
//   version u8 | algorithm u8 | kekIdLength u8 | kekId | wrappedLength u16 BE | wrapped | payload
import { DecryptionError, fromBase64Url, InvalidInputError, toBase64Url } from '@coffer/core';

/**
 * The payload cipher of a sealed value. `aes-256-gcm` is the default (AES-NI fast on Node);
 * `xchacha20-poly1305` suits runtimes without AES hardware. Both give the same overhead.
 *
 * @example
 * ```ts
 * import type { EnvelopeAlgorithm } from '@coffer/envelope';
 *
 * const algorithm: EnvelopeAlgorithm = 'xchacha20-poly1305';
 * ```
 */
export type EnvelopeAlgorithm = 'aes-256-gcm' | 'xchacha20-poly1305';

/**
 * The public header of a sealed value: readable without any key (see {@link inspectSealed}),
 * authenticated on open.
 *
 * @example
 * ```ts
 * import type { SealedHeader } from '@coffer/envelope';
 *
 * const header: SealedHeader = { formatVersion: 1, algorithm: 'aes-256-gcm', kekId: '2' };
 * ```
 */
export interface SealedHeader {
  /** Format version of the byte layout (currently 1). */
  formatVersion: number;
  /** Payload cipher. */
  algorithm: EnvelopeAlgorithm;
  /** Id of the key-encryption key the data key is wrapped under. */
  kekId: string;
}

/** @internal */
export const FORMAT_VERSION = 1;
/** @internal Text form: this prefix, then the sealed bytes as unpadded base64url. */
export const TEXT_PREFIX = 'cf1.';
/** @internal Length of the AEAD tag of the payload. */
export const TAG_LENGTH = 16;
/** @internal Most bytes a wrapped data key may take (u16 length field). */
export const MAX_WRAPPED_LENGTH = 0xffff;
/** @internal Most bytes of a KEK id in a header. */
export const MAX_KEK_ID_LENGTH = 255;

/** @internal Algorithm byte values. */
export const ALGORITHM_IDS: Readonly<Record<EnvelopeAlgorithm, number>> = {
  'aes-256-gcm': 1,
  'xchacha20-poly1305': 2,
};

function algorithmOf(id: number | undefined): EnvelopeAlgorithm | undefined {
  if (id === 1) return 'aes-256-gcm';
  if (id === 2) return 'xchacha20-poly1305';
  return undefined;
}

/** @internal Whether `kekId` can be written in a header: 1-255 visible ASCII characters. */
export function isHeaderKekId(kekId: unknown): kekId is string {
  if (typeof kekId !== 'string' || kekId.length < 1 || kekId.length > MAX_KEK_ID_LENGTH) {
    return false;
  }
  for (let i = 0; i < kekId.length; i++) {
    const c = kekId.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/** @internal A parsed sealed value: its header and where each part lies. */
export interface ParsedSealed {
  header: SealedHeader;
  algorithmId: number;
  /** End of the kekId (start of the wrapped-length field). */
  kekIdEnd: number;
  wrappedStart: number;
  wrappedEnd: number;
}

/**
 * @internal Parses the structure of a sealed value (no key needed).
 * @throws {DecryptionError} `DECRYPT_FAILED` when the bytes are not a well-formed sealed value.
 */
export function parseSealed(sealed: Uint8Array): ParsedSealed {
  if (sealed.length < 5 + 1 + 1 + TAG_LENGTH || sealed[0] !== FORMAT_VERSION) {
    throw new DecryptionError();
  }
  const algorithmId = sealed[1] as number;
  const algorithm = algorithmOf(algorithmId);
  const kekIdLength = sealed[2] as number;
  if (algorithm === undefined || kekIdLength === 0) throw new DecryptionError();
  const kekIdEnd = 3 + kekIdLength;
  if (sealed.length < kekIdEnd + 2 + 1 + TAG_LENGTH) throw new DecryptionError();
  let kekId = '';
  for (let i = 3; i < kekIdEnd; i++) {
    const c = sealed[i] as number;
    if (c < 0x21 || c > 0x7e) throw new DecryptionError();
    kekId += String.fromCharCode(c);
  }
  const wrappedLength = ((sealed[kekIdEnd] as number) << 8) | (sealed[kekIdEnd + 1] as number);
  const wrappedStart = kekIdEnd + 2;
  const wrappedEnd = wrappedStart + wrappedLength;
  if (wrappedLength === 0 || sealed.length < wrappedEnd + TAG_LENGTH) throw new DecryptionError();
  return {
    header: { formatVersion: FORMAT_VERSION, algorithm, kekId },
    algorithmId,
    kekIdEnd,
    wrappedStart,
    wrappedEnd,
  };
}

/**
 * @internal Decodes the text form (`cf1.` + base64url).
 * @throws {DecryptionError} `DECRYPT_FAILED` when the text is not a sealed value's text form.
 */
export function decodeSealedText(text: string): Uint8Array {
  if (!text.startsWith(TEXT_PREFIX)) throw new DecryptionError();
  try {
    return fromBase64Url(text.slice(TEXT_PREFIX.length));
  } catch {
    throw new DecryptionError();
  }
}

/** @internal Encodes sealed bytes in the text form. */
export function encodeSealedText(sealed: Uint8Array): string {
  return TEXT_PREFIX + toBase64Url(sealed);
}

/**
 * Reads the public header of a sealed value — format version, payload algorithm and KEK id —
 * without any key. Use it to find values still wrapped under an old KEK. The header is not
 * authenticated until the value is opened, so treat what it says as a hint.
 *
 * @param sealed The bytes form or the text form (`cf1.…`) of a sealed value.
 * @returns The header.
 * @throws {DecryptionError} `DECRYPT_FAILED` when `sealed` is not a well-formed sealed value.
 * @throws {InvalidInputError} `INVALID_INPUT` when `sealed` is neither a `Uint8Array` nor a string.
 * @example
 * ```ts
 * import { createEnvelope, createLocalKeyProvider, generateKek, inspectSealed, Keyring } from '@coffer/envelope';
 *
 * const keyring = Keyring.fromKeys([{ id: 2, key: generateKek(), status: 'primary' }]);
 * const envelope = createEnvelope({ provider: createLocalKeyProvider(keyring) });
 * const sealed = await envelope.sealToString('secret', { context: { vaultId: 'v_1' } });
 * inspectSealed(sealed); // { formatVersion: 1, algorithm: 'aes-256-gcm', kekId: '2' }
 * ```
 */
export function inspectSealed(sealed: Uint8Array | string): SealedHeader {
  if (typeof sealed === 'string') return parseSealed(decodeSealedText(sealed)).header;
  if (!(sealed instanceof Uint8Array)) {
    throw new InvalidInputError('sealed must be a Uint8Array or the text form of a sealed value', {
      details: { parameter: 'sealed' },
    });
  }
  return parseSealed(sealed).header;
}
