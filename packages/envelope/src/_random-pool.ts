// Random bytes for data keys and seeds, drawn from a pooled CSPRNG buffer: one system call per
// 4 KiB instead of one per seal (Node's randomUUID caches entropy the same way). Every byte is
// handed out once; callers zero the secret parts of what they take when done.
import { randomBytes } from '@coffer/core';

const POOL_SIZE = 4096;
let pool: Uint8Array = new Uint8Array(0);
let offset = 0;

/** @internal `length` fresh random bytes (at most 4096), as a view into the pool. */
export function takeRandom(length: number): Uint8Array {
  if (offset + length > pool.length) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const out = pool.subarray(offset, offset + length);
  offset += length;
  return out;
}
