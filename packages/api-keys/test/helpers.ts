import { randomBytes } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import {
  type ApiKeyHasher,
  type ApiKeyManager,
  type ApiKeyStore,
  type ApiKeyVerifier,
  type ApiKeyVerifierOptions,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
} from '../src/index.js';

export const T0 = 1_750_000_000_000;

export interface Harness {
  store: ApiKeyStore;
  hasher: ApiKeyHasher;
  manager: ApiKeyManager;
  verifier: ApiKeyVerifier;
  now: { ms: number };
  clock: () => number;
  newVerifier: (extra?: Partial<ApiKeyVerifierOptions>) => ApiKeyVerifier;
}

/** A memory store, a cost-4 main-thread hasher, a manager and a verifier on one fake clock. */
export function harness(
  extra: Partial<ApiKeyVerifierOptions> = {},
  store: ApiKeyStore = createMemoryApiKeyStore(),
): Harness {
  const hasher = createBcryptHasher({ cost: 4, threads: 0 });
  const now = { ms: T0 };
  const clock = (): number => now.ms;
  const newVerifier = (more: Partial<ApiKeyVerifierOptions> = {}): ApiKeyVerifier =>
    createApiKeyVerifier({ store, hasher, clock, ...extra, ...more });
  const manager = createApiKeyManager({ store, hasher, clock });
  return { store, hasher, manager, verifier: newVerifier(), now, clock, newVerifier };
}

/** Replaces one character of `text` at `index` with a different character from `alphabet`. */
export function alter(text: string, index: number, alphabet: string, pick: number): string {
  const current = text[index];
  const choices = [...alphabet].filter((c) => c !== current);
  const replacement = choices[pick % choices.length] ?? 'x';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

/** Builds a key by hand from the spec, with node:zlib's CRC-32 as an independent reference. */
export function keyFromSpec(
  prefix: string,
  env: string,
  keyId: string,
  random28: Uint8Array,
): string {
  const start = `${prefix}_${env}_${keyId}`;
  const crc = zlibCrc32(Buffer.concat([Buffer.from(`${start}_`, 'ascii'), random28]));
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc);
  return `${start}_${Buffer.concat([random28, sum]).toString('base64url')}`;
}

/**
 * A well-formed key (correct checksum) with the same prefix, env and key_id as `key` but a fresh
 * random secret: what an attacker who knows a key_id can send. Passes the format check, so it
 * reaches the lookup and the compare.
 */
export function wrongSecretFor(key: string): string {
  const match = /^([a-z][a-z0-9]{0,5})_(live|test)_([0-9A-Z]{16})_/.exec(key);
  if (match === null) throw new Error('not a key');
  const [, prefix = '', env = '', keyId = ''] = match;
  return keyFromSpec(prefix, env, keyId, randomBytes(28));
}
