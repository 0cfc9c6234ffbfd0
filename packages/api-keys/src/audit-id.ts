// Audit entry ids: 26 Crockford base32 characters over 6 bytes of the entry's time and 10 random
// bytes (the ULID layout). Within one millisecond a process counts up from the last id, so a
// process's entries with the same `at` sort in the order they were made.
import { randomBytes, toBase32Crockford } from '@coffer/core';

/** @internal */
export const AUDIT_ID: RegExp = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** @internal Makes a generator of audit ids (one per manager). */
export function createAuditIdSource(): (at: number) => string {
  let lastAt = -1;
  let last: Uint8Array<ArrayBufferLike> = new Uint8Array(10);
  return (at) => {
    let tail: Uint8Array<ArrayBufferLike>;
    if (at === lastAt) {
      tail = last.slice();
      for (let i = tail.length - 1; i >= 0; i--) {
        const byte = (tail[i] ?? 0) + 1;
        tail[i] = byte & 0xff;
        if (byte <= 0xff) break;
      }
    } else {
      tail = randomBytes(10);
      // Room to count up within the millisecond without wrapping.
      tail[0] = (tail[0] ?? 0) & 0x7f;
    }
    lastAt = at;
    last = tail;
    const bytes = new Uint8Array(16);
    let time = Math.max(0, Math.min(at, 2 ** 48 - 1));
    for (let i = 5; i >= 0; i--) {
      bytes[i] = time % 256;
      time = Math.floor(time / 256);
    }
    bytes.set(tail, 6);
    return toBase32Crockford(bytes);
  };
}
