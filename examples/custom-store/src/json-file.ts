// One JSON document on disk, changed all-or-nothing: the engine under both JSON-file stores.
//
// Every operation runs one at a time through a queue, which makes each check-and-set atomic within
// the process. A change works on a private copy of the state ("copy-on-write"): the copy is written
// to a temporary file, flushed and renamed over the real one, and only then becomes the state. If
// the change throws, or the write or the rename fails, both the file and the state stay exactly as
// they were — what the store contracts mean by "no partial writes".
//
// One process per file: two processes would each keep their own state. This is a teaching adapter,
// not a database.
import * as nodeFs from 'node:fs/promises';
import { JsonFileOpenError, JsonFileWriteError } from './json-file-errors.ts';

/** The file operations the store uses; inject your own to test failures (see the tests). */
export interface JsonFileSystem {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string, options: { mode: number; flush: boolean }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
}

/** Node's file system. */
export const nodeFileSystem: JsonFileSystem = {
  readFile: (path, encoding) => nodeFs.readFile(path, encoding),
  writeFile: (path, data, options) => nodeFs.writeFile(path, data, options),
  rename: (from, to) => nodeFs.rename(from, to),
  rm: (path, options) => nodeFs.rm(path, options),
};

export interface JsonFile<T> {
  /** Runs `read` on the current state after every earlier operation. It must not change the state. */
  read<R>(read: (state: Readonly<T>) => R): Promise<R>;
  /**
   * Runs `change` (synchronous) on a copy of the state. If the copy then differs, it is written to
   * the file and becomes the state; if `change` throws or the write fails, nothing changes.
   *
   * @throws {JsonFileWriteError} `STORE_WRITE_FAILED` when the file could not be written.
   */
  update<R>(change: (draft: T) => R): Promise<R>;
  /** The file's bytes: everything the store physically holds (empty before the first write). */
  bytes(): Promise<Uint8Array>;
}

export interface OpenJsonFileOptions<T> {
  /** The state of a store whose file does not exist yet. */
  empty: () => T;
  /** Whether parsed JSON has the state's shape (checked once, when opening). */
  isState: (value: unknown) => value is T;
  /** Default: {@link nodeFileSystem}. */
  fs?: JsonFileSystem;
}

/** `record[key]` if `record` has it as its own property: never a value from Object.prototype. */
export function own<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * Opens the document at `path`, or starts from `options.empty()` if the file does not exist.
 *
 * @throws {JsonFileOpenError} `STORE_OPEN_FAILED` when the file cannot be read or is not the state.
 */
export async function openJsonFile<T>(
  path: string,
  options: OpenJsonFileOptions<T>,
): Promise<JsonFile<T>> {
  const fs = options.fs ?? nodeFileSystem;
  let text: string;
  let state: T;
  try {
    text = await fs.readFile(path, 'utf8');
    const parsed: unknown = JSON.parse(text);
    if (!options.isState(parsed)) throw new TypeError('not a store file');
    state = parsed;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new JsonFileOpenError(path, error);
    state = options.empty();
    text = JSON.stringify(state);
  }

  let queue: Promise<unknown> = Promise.resolve();
  function serial<R>(operation: () => Promise<R> | R): Promise<R> {
    const run = queue.then(operation, operation);
    queue = run.catch(() => undefined);
    return run;
  }

  async function write(next: string): Promise<void> {
    const tmp = `${path}.tmp`;
    try {
      await fs.writeFile(tmp, next, { mode: 0o600, flush: true });
      await fs.rename(tmp, path); // atomic: readers see the old file or the new one, never half
    } catch (error) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw new JsonFileWriteError(path, error);
    }
  }

  return {
    read: (read) => serial(() => read(state)),

    update: (change) =>
      serial(async () => {
        const draft = structuredClone(state);
        const result = change(draft); // throws: the draft is dropped, nothing changed
        const next = JSON.stringify(draft);
        if (next !== text) {
          await write(next); // throws: the draft is dropped, the file is as it was
          state = draft; // only now, after the file holds it
          text = next;
        }
        return result;
      }),

    bytes: () =>
      serial(async () => {
        try {
          return new Uint8Array(Buffer.from(await fs.readFile(path, 'utf8'), 'utf8'));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Uint8Array(0);
          throw error;
        }
      }),
  };
}
