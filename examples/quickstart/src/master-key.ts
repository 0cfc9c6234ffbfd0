// The demo's master key (KEK): generated on first run and kept in a local, git-ignored file with
// owner-only permissions. In production the same text comes from your secret manager as the
// COFFER_MASTER_KEYS environment variable.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatKekEntry, Keyring } from '@coffer/envelope';

export interface MasterKeys {
  keyring: Keyring;
  createdNow: boolean;
}

/** Loads the keyring from `file`, creating a fresh primary KEK there on first run. */
export function loadOrCreateMasterKeys(file: string): MasterKeys {
  const fromEnv = process.env.COFFER_MASTER_KEYS;
  if (fromEnv !== undefined && fromEnv !== '') {
    return { keyring: Keyring.fromEnv(fromEnv), createdNow: false };
  }
  if (existsSync(file)) {
    return { keyring: Keyring.fromEnv(readFileSync(file, 'utf8').trim()), createdNow: false };
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const entry = formatKekEntry({ id: 1, status: 'primary' });
  writeFileSync(file, `${entry.expose()}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { keyring: Keyring.fromEnv(entry.expose()), createdNow: true };
}
