// Making new key-encryption keys and the env text that carries them.
import { Redacted, randomBytes, toBase64Url } from '@coffer/core';
import { InvalidKeyringError } from './errors.js';
import { type KekStatus, normalizeKekId } from './keyring.js';

/**
 * Generates a new 32-byte key-encryption key from the system CSPRNG, wrapped in `Redacted`.
 *
 * @returns The key; `.expose()` gives the bytes.
 * @example
 * ```ts
 * import { generateKek } from '@coffer/envelope';
 *
 * const kek = generateKek();
 * kek.expose().length; // 32
 * String(kek); // '[REDACTED]'
 * ```
 */
export function generateKek(): Redacted<Uint8Array> {
  return new Redacted(randomBytes(32));
}

/**
 * Formats one keyring env entry, `[*|!]<id>:<base64url key>`, for `COFFER_MASTER_KEYS`. Join
 * entries with commas. The result holds the key, so it is `Redacted`.
 *
 * @param entry The key id, the key (default: a new {@link generateKek}), and its status
 *   (default `active`; `primary` adds `*`, `retired` adds `!`).
 * @throws {InvalidKeyringError} `INVALID_KEYRING` when the argument is not an object, the id is
 *   invalid, the key is not 32 bytes or the status is unknown.
 * @example
 * ```ts
 * import { formatKekEntry, generateKek, Keyring } from '@coffer/envelope';
 *
 * const entry = formatKekEntry({ id: 3, key: generateKek(), status: 'primary' });
 * String(entry); // '[REDACTED]'
 * entry.expose().startsWith('*3:'); // true
 * Keyring.fromEnv(entry.expose()).primaryKekId; // '3'
 * ```
 */
export function formatKekEntry(entry: {
  id: string | number;
  key?: Uint8Array | Redacted<Uint8Array>;
  status?: KekStatus;
}): Redacted<string> {
  if (typeof entry !== 'object' || entry === null) {
    throw new InvalidKeyringError('formatKekEntry expects { id, key?, status? }.');
  }
  const id = normalizeKekId(entry.id);
  if (id === undefined) {
    throw new InvalidKeyringError(
      'A key id must be a non-negative integer or 1-32 characters of A-Z a-z 0-9 . _ - starting with a letter or digit.',
    );
  }
  const raw = entry.key ?? generateKek();
  const key = Redacted.isRedacted(raw) ? raw.expose() : raw;
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new InvalidKeyringError(`Key "${id}" must be a 32-byte Uint8Array (or a Redacted one).`, {
      kekId: id,
    });
  }
  const status = entry.status ?? 'active';
  if (status !== 'primary' && status !== 'active' && status !== 'retired') {
    throw new InvalidKeyringError(
      `Key "${id}" has an unknown status; use "primary", "active" or "retired".`,
      { kekId: id },
    );
  }
  const marker = status === 'primary' ? '*' : status === 'retired' ? '!' : '';
  return new Redacted(`${marker}${id}:${toBase64Url(key)}`);
}
