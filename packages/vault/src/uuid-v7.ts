import { onProcessSnapshot, randomBytes } from '@coffer/core';

// Entropy for ids is drawn 4 KiB at a time (one system call per 256 ids, as Node's randomUUID
// does); every byte is used once. Ids are not secrets, but they must be unguessable — and unique:
// processes started from one V8 startup snapshot would otherwise hand out the same ids from a
// copied pool, so the pool is dropped when a snapshot is taken (onProcessSnapshot).
const POOL_SIZE = 4096;
let pool: Uint8Array = new Uint8Array(0);
let offset = 0;
let watchingSnapshots = false;

function forgetPool(): void {
  pool = new Uint8Array(0);
  offset = 0;
}
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function take16(): Uint8Array {
  if (offset + 16 > pool.length) {
    if (!watchingSnapshots) {
      watchingSnapshots = true;
      onProcessSnapshot(forgetPool);
    }
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const out = pool.slice(offset, offset + 16);
  pool.fill(0, offset, offset + 16);
  offset += 16;
  return out;
}

/**
 * A new UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Time-ordered ids
 * keep B-tree inserts at the right edge of the index (locality, fewer page splits) and make
 * `ORDER BY id` roughly creation order; the random bits make ids unguessable enough to be opaque.
 * Within one millisecond the order is random, which is fine: nothing relies on it.
 */
export function uuidV7(nowMs: number): string {
  const b = take16();
  const ms = Math.max(0, Math.floor(nowMs));
  const high = Math.floor(ms / 0x1_0000_0000);
  const low = ms >>> 0;
  b[0] = (high >>> 8) & 0xff;
  b[1] = high & 0xff;
  b[2] = (low >>> 24) & 0xff;
  b[3] = (low >>> 16) & 0xff;
  b[4] = (low >>> 8) & 0xff;
  b[5] = low & 0xff;
  b[6] = 0x70 | ((b[6] ?? 0) & 0x0f);
  b[8] = 0x80 | ((b[8] ?? 0) & 0x3f);
  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX[b[i] ?? 0];
  }
  return out;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether `id` is a lowercase UUID string (any version). */
export function isVaultId(id: unknown): id is string {
  return typeof id === 'string' && UUID.test(id);
}
