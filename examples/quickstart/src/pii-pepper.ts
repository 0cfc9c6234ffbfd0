// The demo's PII pepper: the key of the HMAC that hashes personal data for our own database. Kept
// next to the master key (same rules: COFFER_PII_PEPPER, else a local mode-600 file made on first
// run), so every run stores the same hash for the same person — which is the point of a pepper.
import { randomBytes, toBase64Url } from '@coffer/core';
import { type Pepper, pepperFromEnv } from '@coffer/pii';
import { type LocalSecret, loadOrCreateLocalSecret } from './local-secret.ts';

export interface DemoPepper {
  readonly pepper: Pepper;
  readonly source: LocalSecret['source'];
}

/** Loads the pepper from COFFER_PII_PEPPER or `file`, creating a fresh 32-byte `v1` on first run. */
export function loadOrCreatePepper(file: string): DemoPepper {
  const secret = loadOrCreateLocalSecret(
    file,
    'COFFER_PII_PEPPER',
    () => `*v1:${toBase64Url(randomBytes(32))}`,
  );
  return { pepper: pepperFromEnv(secret.text), source: secret.source };
}
