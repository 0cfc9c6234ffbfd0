// The demo's master key (KEK): generated on first run and kept in a local, git-ignored file with
// owner-only permissions. In production the same text comes from your secret manager as the
// COFFER_MASTER_KEYS environment variable.
import { formatKekEntry, Keyring } from '@coffer/envelope';
import { type LocalSecret, loadOrCreateLocalSecret } from './local-secret.ts';

export interface MasterKeys {
  readonly keyring: Keyring;
  readonly source: LocalSecret['source'];
}

/** Loads the keyring from COFFER_MASTER_KEYS or `file`, creating a fresh primary KEK on first run. */
export function loadOrCreateMasterKeys(file: string): MasterKeys {
  const secret = loadOrCreateLocalSecret(file, 'COFFER_MASTER_KEYS', () =>
    formatKekEntry({ id: 1, status: 'primary' }).expose(),
  );
  return { keyring: Keyring.fromEnv(secret.text), source: secret.source };
}
