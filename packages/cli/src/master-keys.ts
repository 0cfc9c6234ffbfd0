// Glue to @coffer/envelope's Keyring: the master keys come from COFFER_MASTER_KEYS or a
// permission-checked file, never from argv.
import { Keyring } from '@coffer/envelope';
import type { Args, OptionSpecs } from './args.js';
import { configError } from './cli-error.js';
import { readSecretFile } from './secret-file.js';

/** The environment variable holding the keyring text. */
export const MASTER_KEYS_VARIABLE = 'COFFER_MASTER_KEYS';

/** The option of every command that needs the master keys. */
export const MASTER_KEY_OPTIONS: OptionSpecs = {
  'master-keys-file': {
    type: 'string',
    value: 'file',
    description: `Read the keyring from this file instead of ${MASTER_KEYS_VARIABLE}: the keyring text, or an env file with a ${MASTER_KEYS_VARIABLE}= line. Must be mode 600 (or stricter) and yours.`,
  },
};

/** The keyring's ids with their markers, e.g. `*2, 1, !0`: no key material. */
export function keyringIds(keyring: Keyring): string {
  const marker = { primary: '*', active: '', retired: '!' } as const;
  return keyring
    .list()
    .map((k) => `${marker[k.status]}${k.id}`)
    .join(', ');
}

/** A loaded keyring and where it came from (for messages; never the text). */
export interface LoadedKeyring {
  readonly keyring: Keyring;
  readonly source: string;
}

/**
 * The keyring from `--master-keys-file`, else from `COFFER_MASTER_KEYS`.
 *
 * @throws {CliError} `MASTER_KEYS_MISSING` or a secret-file error (exit 3).
 * @throws {InvalidKeyringError} `INVALID_KEYRING` for malformed text (exit 3).
 */
export function loadKeyring(
  args: Args,
  env: Readonly<Record<string, string | undefined>>,
): LoadedKeyring {
  const file = args.string('master-keys-file');
  if (file !== undefined) {
    const text = readSecretFile(file, '--master-keys-file', MASTER_KEYS_VARIABLE);
    return { keyring: Keyring.fromEnv(text), source: '--master-keys-file' };
  }
  const text = env[MASTER_KEYS_VARIABLE];
  if (text === undefined || text.trim() === '') {
    throw configError(
      'MASTER_KEYS_MISSING',
      `No master keys: set ${MASTER_KEYS_VARIABLE} or pass --master-keys-file <file>.`,
    );
  }
  return { keyring: Keyring.fromEnv(text), source: MASTER_KEYS_VARIABLE };
}
