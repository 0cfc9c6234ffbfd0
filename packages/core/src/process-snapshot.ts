// Process duplication that JavaScript can see: a V8 startup snapshot copies the heap of the process
// that builds it into every process started from it. The runtime-specific part lives in the
// `#crypto` backend (node:v8 on Node, nothing elsewhere).
import backend from '#crypto';
import { InvalidInputError } from './errors.js';

/**
 * Registers `clear` to forget state that must belong to one process only — pooled random bytes, a
 * nonce counter, a session key — when the process is duplicated by a V8 startup snapshot
 * (`node --build-snapshot`). `clear` runs just before the snapshot is written (so the snapshot file
 * holds nothing it cleared) and again in every process started from the snapshot, before its main
 * function. Outside a snapshot build it does nothing and keeps no reference to `clear`, so calling
 * it whenever such state is created costs nothing in a normal process.
 *
 * What this cannot see: a copied virtual machine (VM snapshot restore, VM template), which
 * duplicates every process on it, OpenSSL's random generator included. A host that clones VMs must
 * restart coffer's processes in each clone (see docs/threat-model.md). Node has no `fork()`:
 * `child_process` and `cluster` start fresh processes that share no memory.
 *
 * @param clear Forgets (and zeroes) the state; must not throw.
 * @throws {InvalidInputError} `INVALID_INPUT` when `clear` is not a function.
 * @example
 * ```ts
 * import { onProcessSnapshot, randomBytes } from '@coffer/core';
 *
 * let pool: Uint8Array | undefined;
 * function pooled(): Uint8Array {
 *   if (pool === undefined) {
 *     pool = randomBytes(4096);
 *     onProcessSnapshot(() => {
 *       pool?.fill(0);
 *       pool = undefined;
 *     });
 *   }
 *   return pool;
 * }
 * pooled().length; // 4096
 * ```
 */
export function onProcessSnapshot(clear: () => void): void {
  if (typeof clear !== 'function') {
    throw new InvalidInputError('clear must be a function', { details: { parameter: 'clear' } });
  }
  backend.onSnapshot(clear);
}
