// A source's answer, checked and turned into the versions a client serves. A source is a plug-in:
// its answer is validated here (shape, version numbers, Redacted text, metadata) before any value
// is decoded, and nothing it said is echoed into an error.
import { Redacted } from '@coffer/core';
import { decodeSecretText } from './_codec.js';
import type { DefinedSecret } from './define-secrets.js';
import { SecretSourceError } from './errors.js';
import type { SecretSource, StoredSecretVersion } from './secret-source.js';

/** At most this many versions are accepted for verification at once (bounds verify's work). */
export const MAX_ACCEPTED_VERSIONS = 16;
const MAX_METADATA_KEYS = 32;
const MAX_METADATA_TEXT = 1024;

/**
 * One version of a secret as a client serves it: its number, the value (`Redacted`), when it was
 * stored and its non-secret metadata. Frozen.
 */
export interface SecretVersion<T> {
  readonly version: number;
  readonly value: Redacted<T>;
  /** When the version was stored (ms since the epoch), when the source knows. */
  readonly createdAt: number | undefined;
  readonly metadata: Readonly<Record<string, string>>;
}

/** A `Redacted` whose bytes are copied on each `expose()`, so no caller can change the cached key. */
class RedactedBytes extends Redacted<Uint8Array> {
  override expose(): Uint8Array {
    return super.expose().slice();
  }
}

/** What a client keeps per secret: the version to use and those still accepted (current first). */
export interface LoadedSecret {
  readonly current: SecretVersion<unknown>;
  readonly accepted: readonly SecretVersion<unknown>[];
  /** The stored text of each accepted version, to tell an unchanged version on reload. */
  readonly texts: ReadonlyMap<number, string>;
}

function bad(source: SecretSource, secret: DefinedSecret, what: string): SecretSourceError {
  return new SecretSourceError(source.kind, secret.name, what);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function checkMetadata(value: unknown): Readonly<Record<string, string>> | undefined {
  if (value === undefined) return Object.freeze({});
  if (!isRecord(value) || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length > MAX_METADATA_KEYS) return undefined;
  const out: Record<string, string> = Object.create(null);
  for (const k of keys) {
    const v = value[k];
    if (typeof v !== 'string' || k.length > 64 || v.length > MAX_METADATA_TEXT) return undefined;
    out[k] = v;
  }
  return Object.freeze(out);
}

/**
 * Checks one stored version and decodes it against the declaration. Reuses `previous` when it is
 * the same version with the same text, so per-version caches (HMAC keys, CryptoKeys) stay warm
 * across reloads.
 *
 * @throws {SecretSourceError} when the source's answer is not a stored version.
 * @throws {SecretFormatError} when the text fails the declaration's format.
 */
export function toSecretVersion(
  source: SecretSource,
  secret: DefinedSecret,
  stored: unknown,
  previous?: ReadonlyMap<number, { text: string; version: SecretVersion<unknown> }>,
): { text: string; version: SecretVersion<unknown> } {
  if (!isRecord(stored)) throw bad(source, secret, 'answered a version that is not an object');
  const { version, value, createdAt } = stored;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw bad(source, secret, 'answered a version number that is not a positive integer');
  }
  if (!Redacted.isRedacted(value)) {
    throw bad(source, secret, 'answered a value that is not Redacted');
  }
  const text: unknown = value.expose();
  if (typeof text !== 'string') throw bad(source, secret, 'answered a value that is not text');
  if (createdAt !== undefined && (typeof createdAt !== 'number' || !Number.isFinite(createdAt))) {
    throw bad(source, secret, 'answered a createdAt that is not a number');
  }
  const metadata = checkMetadata(stored.metadata);
  if (metadata === undefined) throw bad(source, secret, 'answered malformed metadata');
  const known = previous?.get(version);
  if (known !== undefined && known.text === text && known.version.createdAt === createdAt) {
    return known;
  }
  const decoded = decodeSecretText(secret.name, secret.declaration, text);
  const redacted =
    decoded instanceof Uint8Array ? new RedactedBytes(decoded) : new Redacted<unknown>(decoded);
  return {
    text,
    version: Object.freeze({ version, value: redacted, createdAt, metadata }),
  };
}

/**
 * Checks a source's snapshot and decodes every version.
 *
 * @throws {SecretSourceError} when the answer is not a snapshot (no current, current not accepted,
 *   duplicate versions, more than {@link MAX_ACCEPTED_VERSIONS}).
 * @throws {SecretFormatError} when a version fails the declaration's format.
 */
export function toLoadedSecret(
  source: SecretSource,
  secret: DefinedSecret,
  snapshot: unknown,
  previous: LoadedSecret | undefined,
): LoadedSecret {
  if (!isRecord(snapshot)) throw bad(source, secret, 'answered something that is not a snapshot');
  const { current, accepted } = snapshot;
  if (!Array.isArray(accepted) || accepted.length === 0) {
    throw bad(source, secret, 'answered no accepted versions');
  }
  if (accepted.length > MAX_ACCEPTED_VERSIONS) {
    throw bad(source, secret, `answered more than ${MAX_ACCEPTED_VERSIONS} accepted versions`);
  }
  const reuse = new Map<number, { text: string; version: SecretVersion<unknown> }>();
  for (const v of previous?.accepted ?? []) {
    const text = previous?.texts.get(v.version);
    if (text !== undefined) reuse.set(v.version, { text, version: v });
  }
  const head = toSecretVersion(source, secret, current, reuse);
  const byNumber = new Map<number, { text: string; version: SecretVersion<unknown> }>();
  for (const stored of accepted as readonly StoredSecretVersion[]) {
    const v = toSecretVersion(source, secret, stored, reuse);
    if (byNumber.has(v.version.version)) {
      throw bad(source, secret, 'answered the same version twice');
    }
    byNumber.set(v.version.version, v);
  }
  const same = byNumber.get(head.version.version);
  if (same === undefined) {
    throw bad(source, secret, 'answered a current version that is not accepted');
  }
  if (same.text !== head.text) {
    throw bad(source, secret, 'answered two different values for the current version');
  }
  const others = [...byNumber.values()]
    .filter((v) => v !== same)
    .map((v) => v.version)
    .sort((a, b) => b.version - a.version);
  const texts = new Map<number, string>();
  for (const [n, v] of byNumber) texts.set(n, v.text);
  return Object.freeze({
    current: same.version,
    accepted: Object.freeze([same.version, ...others]),
    texts,
  });
}
