// A secret the demo keeps between runs: taken from an environment variable when set, else read from
// a local, git-ignored file, else generated once and written there with owner-only permissions.
// In production the same text comes from your secret manager, never from a file next to the code.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface LocalSecret {
  /** The secret's text, as an environment variable would hold it. */
  readonly text: string;
  /** Where it came from this run. */
  readonly source: 'env' | 'file' | 'generated';
}

/**
 * The secret from `process.env[envVar]`, else from `file`, else a fresh `generate()` written to
 * `file` (directory mode 700, file mode 600).
 */
export function loadOrCreateLocalSecret(
  file: string,
  envVar: string,
  generate: () => string,
): LocalSecret {
  const fromEnv = process.env[envVar];
  if (fromEnv !== undefined && fromEnv !== '') return { text: fromEnv, source: 'env' };
  if (existsSync(file)) return { text: readFileSync(file, 'utf8').trim(), source: 'file' };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const text = generate();
  writeFileSync(file, `${text}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600); // the mode above is filtered by the umask; make it exact
  return { text, source: 'generated' };
}
