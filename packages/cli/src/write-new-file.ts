// Writing a secret to a new file: created exclusively (an existing file or symlink is refused,
// never overwritten or followed) with mode 600 exactly, whatever the umask.
import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import { refusedError, usageError } from './cli-error.js';

/**
 * Creates `path` with `text`, mode 600.
 *
 * @throws {CliError} `FILE_EXISTS` (exit 5) when the path exists; `USAGE` (exit 2) when it cannot be created.
 */
export function writeNewSecretFile(path: string, text: string, option: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EEXIST') {
      throw refusedError(
        'FILE_EXISTS',
        `${option}: the file exists; coffer never overwrites a key file. Choose another path.`,
        { option },
      );
    }
    throw usageError(
      `${option}: the file cannot be created (${typeof code === 'string' ? code : 'error'}).`,
      { option },
    );
  }
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
