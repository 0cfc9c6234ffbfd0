// The JSON-file stores' errors: CofferError subclasses with stable codes. `STORE_OPEN_FAILED` and
// `STORE_DUPLICATE_ID` are the codes the SQL stores use for the same failures; `STORE_WRITE_FAILED`
// is this store's own (a file write has no SQL counterpart: those fail as `STORE_BUSY` or a driver
// error). Messages name the file, never a stored value.
import { CofferError } from '@coffer/core';

/** The file exists but could not be read or is not a store file. Code `STORE_OPEN_FAILED`, 500. */
export class JsonFileOpenError extends CofferError {
  constructor(path: string, cause: unknown) {
    super(
      'STORE_OPEN_FAILED',
      `The store file "${path}" could not be read or does not hold this store's JSON; fix or remove it.`,
      { status: 500, details: { path }, cause },
    );
  }
}

/**
 * A change could not be written (disk full, permissions, I/O error). Nothing changed: neither the
 * file nor the store's state. Code `STORE_WRITE_FAILED`, 503, retryable.
 */
export class JsonFileWriteError extends CofferError {
  constructor(path: string, cause: unknown) {
    super(
      'STORE_WRITE_FAILED',
      `The store file "${path}" could not be written; nothing was changed. Retry once the disk is writable.`,
      { status: 503, retryable: true, details: { path }, cause },
    );
  }
}

/** `insertEntry` was given an id that exists. Code `STORE_DUPLICATE_ID`, 409. */
export class JsonFileDuplicateIdError extends CofferError {
  constructor(id: string) {
    super(
      'STORE_DUPLICATE_ID',
      'A vault entry with this id already exists; nothing was written. Vault ids are random UUIDv7s, so this points at a bug in the caller.',
      { status: 409, details: { id } },
    );
  }
}
