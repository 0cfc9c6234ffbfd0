// Envelope encryption: one fresh data key per sealed value, wrapped by a key provider, with the
// context and header authenticated in both layers. Byte layout in sealed-format.ts and
// docs/envelope-format.md.
import {
  aes256GcmOpen,
  aes256GcmSeal,
  DecryptionError,
  InvalidInputError,
  utf8Encode,
  xchacha20Poly1305Open,
  xchacha20Poly1305Seal,
} from '@coffer/core';
import { allocForOverwrite } from './_alloc.js';
import { takeRandom } from './_random-pool.js';
import { type ContextMap, encodeContextInto } from './context.js';
import { InvalidContextError, KeyProviderError } from './errors.js';
import type { KeyProvider, WrappedKey } from './key-provider.js';
import { LOCAL_WRAPPED_LENGTH, localProviderOps } from './local-key-provider.js';
import {
  ALGORITHM_IDS,
  decodeSealedText,
  type EnvelopeAlgorithm,
  encodeSealedText,
  FORMAT_VERSION,
  isHeaderKekId,
  MAX_WRAPPED_LENGTH,
  type ParsedSealed,
  parseSealed,
} from './sealed-format.js';

/**
 * Options of {@link Envelope.seal} and {@link Envelope.sealToString}.
 *
 * @example
 * ```ts
 * import type { SealOptions } from '@coffer/envelope';
 *
 * const options: SealOptions = { context: { vaultId: 'v_1' }, algorithm: 'xchacha20-poly1305' };
 * ```
 */
export interface SealOptions {
  /** The context the value is bound to; the same map is needed to open it. */
  context: ContextMap;
  /** Payload cipher; defaults to the envelope's (by default `aes-256-gcm`). */
  algorithm?: EnvelopeAlgorithm;
  /** Key provider for this call (e.g. a tenant's own keys); defaults to the envelope's. */
  provider?: KeyProvider;
}

/**
 * Options of {@link Envelope.open}, {@link Envelope.rewrap} and their text-form twins.
 *
 * @example
 * ```ts
 * import type { OpenOptions } from '@coffer/envelope';
 *
 * const options: OpenOptions = { context: { vaultId: 'v_1' } };
 * ```
 */
export interface OpenOptions {
  /** The context the value was sealed with. */
  context: ContextMap;
  /** Key provider for this call; defaults to the envelope's. */
  provider?: KeyProvider;
}

/**
 * Options of {@link createEnvelope}.
 *
 * @example
 * ```ts
 * import { createLocalKeyProvider, type EnvelopeOptions, generateKek, Keyring } from '@coffer/envelope';
 *
 * const options: EnvelopeOptions = {
 *   provider: createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }])),
 *   algorithm: 'aes-256-gcm',
 * };
 * ```
 */
export interface EnvelopeOptions {
  /** Where the key-encryption keys live, e.g. {@link createLocalKeyProvider}. */
  provider: KeyProvider;
  /** Default payload cipher: `aes-256-gcm` unless set. */
  algorithm?: EnvelopeAlgorithm;
}

/**
 * Seals and opens values with envelope encryption. Made by {@link createEnvelope}; every method
 * is async because a key provider may call a KMS. Bytes in, bytes out (`seal`/`open`/`rewrap`)
 * for blob columns; `sealToString`/`openString`/`rewrapString` use the text form (`cf1.` +
 * base64url) for text columns.
 *
 * @example
 * ```ts
 * import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
 *
 * const key1 = generateKek();
 * const before = createEnvelope({
 *   provider: createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: key1, status: 'primary' }])),
 * });
 * const context = { vaultId: 'v_1' };
 * const sealed = await before.seal('secret', { context });
 *
 * // Rotation: key 2 is now primary, key 1 still opens.
 * const after = createEnvelope({
 *   provider: createLocalKeyProvider(
 *     Keyring.fromKeys([
 *       { id: 2, key: generateKek(), status: 'primary' },
 *       { id: 1, key: key1 },
 *     ]),
 *   ),
 * });
 * const rewrapped = await after.rewrap(sealed, { context }); // now under key 2, same payload bytes
 * new TextDecoder().decode(await after.open(rewrapped, { context })); // 'secret'
 * ```
 */
export interface Envelope {
  /**
   * Encrypts `plaintext` (bytes, or a string as UTF-8) under a fresh data key, wraps the data key
   * under the provider's primary KEK, and binds both to `options.context`. The context and the
   * plaintext are read when the call begins, before any wait for the provider, so reusing or
   * changing those objects while the promise is pending does not affect the result.
   *
   * @throws {InvalidContextError} `INVALID_CONTEXT` when the context is missing or malformed.
   * @throws {InvalidInputError} `INVALID_INPUT` when `plaintext` is neither bytes nor a
   *   well-formed string, or the algorithm or provider is invalid.
   * @throws {KeyProviderError} `KEY_PROVIDER_FAILED` when the provider fails or misbehaves.
   */
  seal(plaintext: Uint8Array | string, options: SealOptions): Promise<Uint8Array>;
  /**
   * Decrypts a sealed value, checking the context, the header and every byte. Returns a new
   * array the caller owns.
   *
   * @throws {DecryptionError} `DECRYPT_FAILED` on any changed, missing or extra byte, a different
   *   context, or a wrong key. Opaque by design.
   * @throws {UnknownKekError} `UNKNOWN_KEK` when the provider lacks the KEK the value names.
   * @throws {RetiredKekError} `RETIRED_KEK` when that KEK is retired.
   * @throws {InvalidContextError} `INVALID_CONTEXT` when the context is missing or malformed.
   * @throws {InvalidInputError} `INVALID_INPUT` when `sealed` is not a `Uint8Array`.
   */
  open(sealed: Uint8Array, options: OpenOptions): Promise<Uint8Array>;
  /**
   * Moves a sealed value's data key to the provider's primary KEK without touching the payload:
   * the returned value has a new header and wrapped key and the same payload bytes. A value already
   * under the primary KEK is checked (its key must unwrap with this context) and returned as an
   * equal copy. The payload is not decrypted, so a damaged payload is only detected by `open`.
   * Like `seal`, it reads `sealed` and the context when called, before any wait.
   *
   * @throws {DecryptionError} `DECRYPT_FAILED` when the header, wrapped key or context do not match.
   * @throws {UnknownKekError} `UNKNOWN_KEK` / {@link RetiredKekError} `RETIRED_KEK` as for `open`.
   * @throws {InvalidContextError} `INVALID_CONTEXT` when the context is missing or malformed.
   * @throws {InvalidInputError} `INVALID_INPUT` when `sealed` is not a `Uint8Array`.
   * @throws {KeyProviderError} `KEY_PROVIDER_FAILED` when the provider fails or misbehaves.
   */
  rewrap(sealed: Uint8Array, options: OpenOptions): Promise<Uint8Array>;
  /**
   * {@link Envelope.seal}, returning the text form: `cf1.` followed by unpadded base64url.
   *
   * @throws The same as {@link Envelope.seal}.
   */
  sealToString(plaintext: Uint8Array | string, options: SealOptions): Promise<string>;
  /**
   * {@link Envelope.open} for the text form.
   *
   * @throws {DecryptionError} `DECRYPT_FAILED` also when the text is not `cf1.` + base64url.
   * @throws {InvalidInputError} `INVALID_INPUT` when `sealed` is not a string; otherwise as `open`.
   */
  openString(sealed: string, options: OpenOptions): Promise<Uint8Array>;
  /**
   * {@link Envelope.rewrap} for the text form; returns the text form.
   *
   * @throws The same as {@link Envelope.openString} and {@link Envelope.rewrap}.
   */
  rewrapString(sealed: string, options: OpenOptions): Promise<string>;
}

const DEK_LENGTH = 32;
const ZERO_NONCE_12 = new Uint8Array(12);
const ZERO_NONCE_24 = new Uint8Array(24);
const LONE_SURROGATE = /\p{Surrogate}/u;
const AES_ID = ALGORITHM_IDS['aes-256-gcm'];

/** A plain `Uint8Array` copy with its own memory (`slice()` on a Node `Buffer` returns a view). */
function copyOf(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/**
 * A plain copy of bytes a provider handed back, or `undefined` when they are not a real
 * `Uint8Array` (an impostor object, a detached buffer). The copy is made from the array's own
 * storage, so a subclass overriding `length` cannot make it shorter or longer than it is; nothing
 * it does can throw out of here.
 */
function providerBytes(value: unknown): Uint8Array | undefined {
  try {
    if (!ArrayBuffer.isView(value) || !(value instanceof Uint8Array)) return undefined;
    // From a typed array, the constructor copies its storage (no species, no `length` getter).
    return new Uint8Array(value);
  } catch {
    return undefined;
  }
}

/** Zeroes a provider's array where it can (a detached or impostor array is left alone). */
function zeroQuietly(value: unknown): void {
  try {
    if (ArrayBuffer.isView(value) && value instanceof Uint8Array) value.fill(0);
  } catch {
    // Nothing to zero.
  }
}

/**
 * Whether `wrapped` holds the 32-byte data key anywhere as it is: a provider that "wraps" by
 * returning the key (a no-op or test provider) would put the data key next to the payload it
 * opens. Scans without stopping early.
 */
function holdsDataKey(wrapped: Uint8Array, dek: Uint8Array): boolean {
  let found = 0;
  for (let at = 0; at + DEK_LENGTH <= wrapped.length; at++) {
    let diff = 0;
    for (let i = 0; i < DEK_LENGTH; i++) diff |= (wrapped[at + i] as number) ^ (dek[i] as number);
    found |= diff === 0 ? 1 : 0;
  }
  return found === 1;
}

function assertProvider(provider: unknown): asserts provider is KeyProvider {
  const p = provider as Partial<Record<keyof KeyProvider, unknown>> | null;
  if (
    typeof p !== 'object' ||
    p === null ||
    typeof p.primaryKekId !== 'function' ||
    typeof p.keyStatus !== 'function' ||
    typeof p.wrapKey !== 'function' ||
    typeof p.unwrapKey !== 'function'
  ) {
    throw new InvalidInputError(
      'provider must be a KeyProvider (primaryKekId, keyStatus, wrapKey, unwrapKey), e.g. createLocalKeyProvider(keyring)',
      { details: { parameter: 'provider' } },
    );
  }
}

function algorithmId(algorithm: unknown): number {
  const id =
    typeof algorithm === 'string' ? ALGORITHM_IDS[algorithm as EnvelopeAlgorithm] : undefined;
  if (id === undefined || !Object.hasOwn(ALGORITHM_IDS, algorithm as string)) {
    throw new InvalidInputError('algorithm must be "aes-256-gcm" or "xchacha20-poly1305"', {
      details: { parameter: 'algorithm' },
    });
  }
  return id;
}

function plaintextBytes(plaintext: unknown): Uint8Array {
  if (plaintext instanceof Uint8Array) return plaintext;
  if (typeof plaintext === 'string') {
    if (LONE_SURROGATE.test(plaintext)) {
      throw new InvalidInputError(
        'plaintext string is not well-formed Unicode (it has a lone surrogate); pass bytes instead',
        { details: { parameter: 'plaintext' } },
      );
    }
    return utf8Encode(plaintext);
  }
  throw new InvalidInputError('plaintext must be a Uint8Array or a string', {
    details: { parameter: 'plaintext' },
  });
}

function optionsObject(options: unknown): {
  context?: unknown;
  provider?: unknown;
  algorithm?: unknown;
} {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidContextError(
      'options with a context are required, e.g. { context: { vaultId: "v_1" } } ({} binds to nothing)',
    );
  }
  return options;
}

function assertSealedBytes(sealed: unknown): asserts sealed is Uint8Array {
  if (!(sealed instanceof Uint8Array)) {
    throw new InvalidInputError('sealed must be a Uint8Array (use openString for the text form)', {
      details: { parameter: 'sealed' },
    });
  }
}

function assertSealedText(sealed: unknown): asserts sealed is string {
  if (typeof sealed !== 'string') {
    throw new InvalidInputError('sealed must be a string in the text form (cf1.…)', {
      details: { parameter: 'sealed' },
    });
  }
}

/**
 * The additional authenticated data of both layers, in one buffer:
 * payload AAD = version || algorithm || context; wrap AAD = payload AAD || len(kekId) || kekId.
 * `useScratch` (synchronous local paths only) reuses one buffer instead of allocating.
 */
function buildAad(
  context: unknown,
  algId: number,
  kekId: string,
  useScratch = false,
): { payloadAad: Uint8Array; wrapAad: Uint8Array } {
  const { buffer, end } = encodeContextInto(
    context,
    [FORMAT_VERSION, algId],
    1 + kekId.length,
    useScratch,
  );
  buffer[end] = kekId.length;
  for (let i = 0; i < kekId.length; i++) buffer[end + 1 + i] = kekId.charCodeAt(i);
  return {
    payloadAad: buffer.subarray(0, end),
    wrapAad: buffer.subarray(0, end + 1 + kekId.length),
  };
}

/** The wrap AAD for `kekId`: the payload AAD (already encoded) || len(kekId) || kekId, a new array. */
function wrapAadFor(payloadAad: Uint8Array, kekId: string): Uint8Array {
  const out = new Uint8Array(payloadAad.length + 1 + kekId.length);
  out.set(payloadAad);
  out[payloadAad.length] = kekId.length;
  for (let i = 0; i < kekId.length; i++) out[payloadAad.length + 1 + i] = kekId.charCodeAt(i);
  return out;
}

/** The sealed payload, after `headroom` zero bytes (room for the header and wrapped key). */
function sealPayload(
  algId: number,
  dek: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  headroom = 0,
): Uint8Array {
  const options = { headroom };
  return algId === AES_ID
    ? aes256GcmSeal(dek, ZERO_NONCE_12, plaintext, aad, options)
    : xchacha20Poly1305Seal(dek, ZERO_NONCE_24, plaintext, aad, options);
}

function openPayload(
  algId: number,
  dek: Uint8Array,
  payload: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  return algId === AES_ID
    ? aes256GcmOpen(dek, ZERO_NONCE_12, payload, aad)
    : xchacha20Poly1305Open(dek, ZERO_NONCE_24, payload, aad);
}

/** Writes version | algorithm | len | kekId | wrappedLength into `out`; returns the wrapped offset. */
function writeHeader(out: Uint8Array, algId: number, kekId: string, wrappedLength: number): number {
  out[0] = FORMAT_VERSION;
  out[1] = algId;
  out[2] = kekId.length;
  for (let i = 0; i < kekId.length; i++) out[3 + i] = kekId.charCodeAt(i);
  const at = 3 + kekId.length;
  out[at] = wrappedLength >>> 8;
  out[at + 1] = wrappedLength & 0xff;
  return at + 2;
}

function assemble(
  algId: number,
  kekId: string,
  wrapped: Uint8Array,
  payload: Uint8Array,
): Uint8Array {
  const out = allocForOverwrite(5 + kekId.length + wrapped.length + payload.length);
  const at = writeHeader(out, algId, kekId, wrapped.length);
  out.set(wrapped, at);
  out.set(payload, at + wrapped.length);
  return out;
}

function providerName(provider: KeyProvider): string {
  try {
    const name: unknown = provider.name;
    return typeof name === 'string' ? name : 'unnamed';
  } catch {
    // A `name` getter that throws must not replace the error being reported.
    return 'unnamed';
  }
}

/**
 * Passes coffer errors (recognised by their brand, not their shape) through; replaces anything
 * else, which could carry anything, by KEY_PROVIDER_FAILED (see {@link KeyProviderError.from}).
 */
function providerFailure(provider: KeyProvider, operation: string, error: unknown): Error {
  return KeyProviderError.from(provider, operation, error);
}

async function providerPrimary(provider: KeyProvider): Promise<string> {
  let kekId: unknown;
  try {
    kekId = await provider.primaryKekId();
  } catch (error) {
    throw providerFailure(provider, 'primaryKekId', error);
  }
  if (!isHeaderKekId(kekId)) {
    throw new KeyProviderError(
      providerName(provider),
      'primaryKekId returned an id that is not 1-255 visible ASCII characters',
    );
  }
  return kekId;
}

/**
 * Wraps `dek` under the provider's primary KEK with that KEK's id in the wrap AAD. The provider gets
 * its own copies of the data key and the AAD (zeroed afterwards), and the wrapped key it returns is
 * copied at once, before its copy of the data key is zeroed: a provider that zeroes, keeps, later
 * changes or answers in any buffer it was handed or returned cannot reach the sealed value. A
 * "wrapped key" that holds the data key as it is (a no-op provider) is refused.
 */
async function wrapWithProvider(
  provider: KeyProvider,
  dek: Uint8Array,
  payloadAad: Uint8Array,
): Promise<{ kekId: string; wrapped: Uint8Array }> {
  // The KEK id is part of the wrap AAD, so the envelope asks for it first and checks the provider
  // used it; a rotation between the two calls is retried once. The context is not read again after
  // a wait: the wrap AAD extends the payload AAD encoded when the call began, so a context object
  // the caller changes meanwhile cannot bind the two layers to different contexts.
  for (let attempt = 0; attempt < 2; attempt++) {
    const kekId = await providerPrimary(provider);
    const wrapAad = wrapAadFor(payloadAad, kekId);
    const dekCopy = copyOf(dek);
    let wrapped: Uint8Array | undefined;
    let usedKekId: unknown;
    try {
      const result: WrappedKey | undefined = await provider.wrapKey(dekCopy, copyOf(wrapAad));
      // Copied before the provider's copy of the data key is zeroed: the wrapped key it returned
      // may share that memory (a provider that encrypts in place).
      wrapped = providerBytes(result?.wrapped);
      usedKekId = result?.kekId;
    } catch (error) {
      throw providerFailure(provider, 'wrapKey', error);
    } finally {
      dekCopy.fill(0);
    }
    if (wrapped === undefined || wrapped.length < 1 || wrapped.length > MAX_WRAPPED_LENGTH) {
      throw new KeyProviderError(
        providerName(provider),
        'wrapKey returned no wrapped key of 1-65535 bytes',
      );
    }
    if (holdsDataKey(wrapped, dek)) {
      wrapped.fill(0);
      throw new KeyProviderError(
        providerName(provider),
        'wrapKey returned the data key itself, unencrypted, as the wrapped key',
      );
    }
    if (usedKekId === kekId) return { kekId, wrapped };
  }
  throw new KeyProviderError(
    providerName(provider),
    'wrapKey used a different KEK than primaryKekId() named, twice',
  );
}

/**
 * Unwraps through the provider. It gets copies of the wrapped key and the AAD (never views into the
 * caller's sealed value, which it could change); the data key it returns is copied into an array
 * only the envelope holds and the provider's array is zeroed.
 */
async function unwrapWithProvider(
  provider: KeyProvider,
  kekId: string,
  wrapped: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array> {
  let dek: unknown;
  try {
    dek = await provider.unwrapKey(kekId, copyOf(wrapped), copyOf(aad));
  } catch (error) {
    throw providerFailure(provider, 'unwrapKey', error);
  }
  const own = providerBytes(dek);
  zeroQuietly(dek);
  if (own === undefined || own.length !== DEK_LENGTH) {
    own?.fill(0);
    throw new DecryptionError();
  }
  return own;
}

/** The AADs of a parsed sealed value, built from its own header bytes. */
function aadOf(
  parsed: ParsedSealed,
  context: unknown,
  useScratch: boolean,
): { payloadAad: Uint8Array; wrapAad: Uint8Array } {
  return buildAad(context, parsed.algorithmId, parsed.header.kekId, useScratch);
}

/**
 * Parses `sealed`; when it is malformed, a malformed context still wins (INVALID_CONTEXT is a
 * caller bug worth seeing), otherwise DECRYPT_FAILED.
 */
function parseOrFail(sealed: Uint8Array, context: unknown): ParsedSealed {
  try {
    return parseSealed(sealed);
  } catch (error) {
    buildAad(context, AES_ID, '', true);
    throw error;
  }
}

function decodeTextOrFail(text: string, context: unknown): Uint8Array {
  try {
    return decodeSealedText(text);
  } catch (error) {
    buildAad(context, AES_ID, '', true);
    throw error;
  }
}

/**
 * Creates an {@link Envelope} over a key provider.
 *
 * Seal: a fresh random 256-bit data key (DEK) encrypts the value (AES-256-GCM by default,
 * XChaCha20-Poly1305 selectable); the provider wraps the DEK under its primary KEK. The context,
 * format version, algorithm and KEK id are authenticated; the DEK is zeroed after use. With the
 * local provider and a one-character KEK id, a sealed value is the plaintext plus 94 bytes.
 *
 * @param options `provider` (required) and the default `algorithm`.
 * @returns The envelope.
 * @throws {InvalidInputError} `INVALID_INPUT` when the provider is not a `KeyProvider` or the
 *   algorithm is unknown.
 * @example
 * ```ts
 * import { createEnvelope, createLocalKeyProvider, Keyring } from '@coffer/envelope';
 *
 * // COFFER_MASTER_KEYS="*1:<base64url key>", from your secret manager.
 * const keyring = Keyring.fromEnv(process.env.COFFER_MASTER_KEYS, { variable: 'COFFER_MASTER_KEYS' });
 * const envelope = createEnvelope({ provider: createLocalKeyProvider(keyring) });
 *
 * const context = { vaultId: 'v_1', tenant: 'acme' };
 * const sealed = await envelope.sealToString('EAAG-meta-token', { context });
 * sealed.startsWith('cf1.'); // true
 * const plaintext = await envelope.openString(sealed, { context });
 * new TextDecoder().decode(plaintext); // 'EAAG-meta-token'
 * ```
 */
export function createEnvelope(options: {
  provider: KeyProvider;
  algorithm?: EnvelopeAlgorithm;
}): Envelope {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidInputError('createEnvelope expects { provider, algorithm? }', {
      details: { parameter: 'options' },
    });
  }
  const defaultProvider = options.provider;
  assertProvider(defaultProvider);
  const defaultAlgId = algorithmId(options.algorithm ?? 'aes-256-gcm');

  const providerOf = (given: unknown): KeyProvider => {
    if (given === undefined) return defaultProvider;
    assertProvider(given);
    return given;
  };

  async function seal(
    plaintext: Uint8Array | string,
    sealOptions: SealOptions,
  ): Promise<Uint8Array> {
    const opts = optionsObject(sealOptions);
    if (opts.context === undefined) {
      throw new InvalidContextError('context is required to seal; pass {} to bind to nothing');
    }
    const provider = providerOf(opts.provider);
    const algId = opts.algorithm === undefined ? defaultAlgId : algorithmId(opts.algorithm);
    const data = plaintextBytes(plaintext);
    const local = localProviderOps(provider);
    if (local !== undefined) {
      const kekId = local.primaryKekId;
      const { payloadAad, wrapAad } = buildAad(opts.context, algId, kekId, true);
      const dek = takeRandom(DEK_LENGTH);
      try {
        // The payload is sealed straight after room for the header and the wrapped key, so the
        // value is built in one array with no second copy of the ciphertext.
        const out = sealPayload(
          algId,
          dek,
          data,
          payloadAad,
          5 + kekId.length + LOCAL_WRAPPED_LENGTH,
        );
        const at = writeHeader(out, algId, kekId, LOCAL_WRAPPED_LENGTH);
        local.wrapInto(dek, wrapAad, out, at);
        return out;
      } finally {
        dek.fill(0);
      }
    }
    // The payload AAD does not involve the KEK id, so the payload is sealed before the provider is
    // called (which also validates the context first): nothing the provider does to the data key
    // can change what the payload was sealed under.
    const pooled = takeRandom(DEK_LENGTH);
    const dek = copyOf(pooled);
    pooled.fill(0);
    try {
      // Encoded once, in its own buffer: the context is read now, never after a wait.
      const { payloadAad } = buildAad(opts.context, algId, '');
      const payload = sealPayload(algId, dek, data, payloadAad);
      const { kekId, wrapped } = await wrapWithProvider(provider, dek, payloadAad);
      return assemble(algId, kekId, wrapped, payload);
    } finally {
      dek.fill(0);
    }
  }

  async function open(sealed: Uint8Array, openOptions: OpenOptions): Promise<Uint8Array> {
    const opts = optionsObject(openOptions);
    if (opts.context === undefined) {
      throw new InvalidContextError(
        'context is required to open: give the context the value was sealed with',
      );
    }
    const provider = providerOf(opts.provider);
    assertSealedBytes(sealed);
    const parsed = parseOrFail(sealed, opts.context);
    const { kekId } = parsed.header;
    const wrapped = sealed.subarray(parsed.wrappedStart, parsed.wrappedEnd);
    const payload = sealed.subarray(parsed.wrappedEnd);
    const local = localProviderOps(provider);
    // The local path is synchronous, so it may build its AAD in the shared scratch buffer.
    const { payloadAad, wrapAad } = aadOf(parsed, opts.context, local !== undefined);
    const dek =
      local !== undefined
        ? local.unwrap(kekId, wrapped, wrapAad)
        : await unwrapWithProvider(provider, kekId, wrapped, wrapAad);
    try {
      return openPayload(parsed.algorithmId, dek, payload, payloadAad);
    } finally {
      dek.fill(0);
    }
  }

  async function rewrap(sealed: Uint8Array, openOptions: OpenOptions): Promise<Uint8Array> {
    const opts = optionsObject(openOptions);
    if (opts.context === undefined) {
      throw new InvalidContextError(
        'context is required to rewrap: give the context the value was sealed with',
      );
    }
    const provider = providerOf(opts.provider);
    assertSealedBytes(sealed);
    const parsed = parseOrFail(sealed, opts.context);
    const { kekId } = parsed.header;
    const wrapped = sealed.subarray(parsed.wrappedStart, parsed.wrappedEnd);
    const payload = sealed.subarray(parsed.wrappedEnd);
    const local = localProviderOps(provider);
    if (local !== undefined) {
      const dek = local.unwrap(kekId, wrapped, aadOf(parsed, opts.context, true).wrapAad);
      try {
        const primary = local.primaryKekId;
        if (primary === kekId) return copyOf(sealed);
        const { wrapAad } = buildAad(opts.context, parsed.algorithmId, primary, true);
        const out = allocForOverwrite(5 + primary.length + LOCAL_WRAPPED_LENGTH + payload.length);
        const at = writeHeader(out, parsed.algorithmId, primary, LOCAL_WRAPPED_LENGTH);
        local.wrapInto(dek, wrapAad, out, at);
        out.set(payload, at + LOCAL_WRAPPED_LENGTH);
        return out;
      } finally {
        dek.fill(0);
      }
    }
    // Both AADs from one reading of the context, and the input copied, before any wait: what the
    // caller changes meanwhile cannot end up in the result.
    const { payloadAad, wrapAad } = aadOf(parsed, opts.context, false);
    const input = copyOf(sealed);
    const dek = await unwrapWithProvider(provider, kekId, wrapped, wrapAad);
    try {
      if ((await providerPrimary(provider)) === kekId) return input;
      const rewrapped = await wrapWithProvider(provider, dek, payloadAad);
      const samePayload = input.subarray(parsed.wrappedEnd);
      return assemble(parsed.algorithmId, rewrapped.kekId, rewrapped.wrapped, samePayload);
    } finally {
      dek.fill(0);
    }
  }

  const envelope: Envelope = {
    seal,
    open,
    rewrap,
    async sealToString(plaintext, sealOptions) {
      return encodeSealedText(await seal(plaintext, sealOptions));
    },
    async openString(sealed, openOptions) {
      assertSealedText(sealed);
      return open(decodeTextOrFail(sealed, optionsObject(openOptions).context), openOptions);
    },
    async rewrapString(sealed, openOptions) {
      assertSealedText(sealed);
      const bytes = decodeTextOrFail(sealed, optionsObject(openOptions).context);
      return encodeSealedText(await rewrap(bytes, openOptions));
    },
  };
  return Object.freeze(envelope);
}
