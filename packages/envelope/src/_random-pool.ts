// Random bytes for data keys, drawn from a pooled CSPRNG buffer: one system call per 4 KiB instead
// of one per seal (Node's randomUUID caches entropy the same way; a call per seal measured 0.38x
// instead of 0.45-0.50x raw node:crypto in `pnpm bench envelope`). Every byte is handed out once;
// callers zero what they take when done.
//
// The pool is process state, so a V8 startup snapshot would copy it into every process started
// from the snapshot, which would then draw the same data keys. onProcessSnapshot zeroes and drops
// it before the snapshot is written and again in each such process before its main function runs,
// so each of them refills from its own OpenSSL (which a V8 snapshot does not copy).
import { onProcessSnapshot, randomBytes } from '@coffer/core';

const POOL_SIZE = 4096;
let pool: Uint8Array = new Uint8Array(0);
let offset = 0;
let watchingSnapshots = false;

function forgetPool(): void {
  pool.fill(0);
  pool = new Uint8Array(0);
  offset = 0;
}

/** @internal `length` fresh random bytes (at most 4096), as a view into the pool. */
export function takeRandom(length: number): Uint8Array {
  if (offset + length > pool.length) {
    if (!watchingSnapshots) {
      watchingSnapshots = true;
      onProcessSnapshot(forgetPool);
    }
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const out = pool.subarray(offset, offset + length);
  offset += length;
  return out;
}
