// Reading a secret (the keyring, a pepper) from a file: only from a regular file that no one but
// its owner can read, owned by this user or root, at most 64 KiB. Nothing of the content ever
// appears in an error.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { configError } from './cli-error.js';

const MAX_BYTES = 64 * 1024;

/**
 * The secret in `path`: the value of a `NAME=value` line for `variable` when the file is an env
 * file (as `coffer keygen --out` writes), else the whole content, trimmed.
 *
 * @throws {CliError} `SECRET_FILE_UNREADABLE`, `SECRET_FILE_UNSAFE` or `SECRET_FILE_EMPTY` (exit 3).
 */
export function readSecretFile(path: string, option: string, variable: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw configError(
      'SECRET_FILE_UNREADABLE',
      `${option}: the file cannot be opened (${typeof code === 'string' ? code : 'error'}).`,
      { option },
    );
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      throw configError('SECRET_FILE_UNSAFE', `${option}: not a regular file.`, { option });
    }
    if (process.platform !== 'win32') {
      const uid = process.getuid?.();
      if (uid !== undefined && stat.uid !== uid && stat.uid !== 0) {
        throw configError(
          'SECRET_FILE_UNSAFE',
          `${option}: the file belongs to another user; it must be owned by you (or root).`,
          { option },
        );
      }
      if ((stat.mode & 0o077) !== 0) {
        const mode = (stat.mode & 0o777).toString(8);
        throw configError(
          'SECRET_FILE_UNSAFE',
          `${option}: the file is readable or writable by group or others (mode ${mode}); run chmod 600 on it.`,
          { option, mode },
        );
      }
    }
    if (stat.size > MAX_BYTES) {
      throw configError('SECRET_FILE_UNSAFE', `${option}: the file is larger than 64 KiB.`, {
        option,
      });
    }
    const buffer = Buffer.alloc(MAX_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_BYTES) {
        throw configError('SECRET_FILE_UNSAFE', `${option}: the file is larger than 64 KiB.`, {
          option,
        });
      }
    }
    const text = buffer.toString('utf8', 0, length);
    buffer.fill(0);
    const value = valueIn(text, variable);
    if (value === '') {
      throw configError('SECRET_FILE_EMPTY', `${option}: the file holds no ${variable} value.`, {
        option,
      });
    }
    return value;
  } finally {
    closeSync(fd);
  }
}

const ENV_LINE = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/**
 * `variable`'s value in env-file text; the whole text when it is not an env file; `''` for an env
 * file without that variable.
 */
function valueIn(text: string, variable: string): string {
  let envFile = false;
  for (const raw of text.split(/\r?\n/)) {
    const match = ENV_LINE.exec(raw.trim());
    if (match === null) continue;
    envFile = true;
    if (match[1] !== variable) continue;
    const value = (match[2] ?? '').trim();
    const quoted = /^(["'])(.*)\1$/.exec(value);
    return quoted?.[2] ?? value;
  }
  return envFile ? '' : text.trim();
}
