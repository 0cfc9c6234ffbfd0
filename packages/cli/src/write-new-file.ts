// Writing a secret to a new file: created exclusively (an existing file or symlink is refused,
// never overwritten or followed) with mode 600 exactly, whatever the umask.
import { closeSync, fchmodSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { refusedError, usageError } from './cli-error.js';

/**
 * Creates `path` with `text`, mode 600.
 *
 * @throws {CliError} `FILE_EXISTS` (exit 5) when the path exists; `USAGE` (exit 2) when it cannot be
 *   created or written (then it is removed).
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
  let failure: unknown;
  try {
    fchmodSync(fd, 0o600);
    const bytes = Buffer.from(text, 'utf8');
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
    fsyncSync(fd);
  } catch (error) {
    failure = error;
  } finally {
    closeSync(fd);
  }
  if (failure !== undefined) {
    // A full disk or a file-size limit: an empty or cut file would be refused as existing by
    // the next try, and might hold half a key. It goes.
    rmSync(path, { force: true });
    const code = (failure as { code?: unknown }).code;
    throw usageError(
      `${option}: the file could not be written (${typeof code === 'string' ? code : 'error'}); nothing was kept.`,
      { option },
    );
  }
}
