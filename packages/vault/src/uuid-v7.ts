import { randomBytes, toHex } from '@coffer/core';

/**
 * A new UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Time-ordered ids
 * keep B-tree inserts at the right edge of the index (locality, fewer page splits) and make
 * `ORDER BY id` roughly creation order; the random bits make ids unguessable enough to be opaque.
 * Within one millisecond the order is random, which is fine: nothing relies on it.
 */
export function uuidV7(nowMs: number): string {
  const b = randomBytes(16);
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
  const hex = toHex(b);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether `id` is a lowercase UUID string (any version). */
export function isVaultId(id: unknown): id is string {
  return typeof id === 'string' && UUID.test(id);
}
