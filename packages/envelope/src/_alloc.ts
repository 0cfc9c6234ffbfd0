// Output buffers for sealed values. `new Uint8Array(n)` zero-fills, which for a large value costs
// as much as copying it; on Node, Buffer.allocUnsafeSlow gives an unpooled, exactly sized buffer
// without the fill. Callers write every byte before the array escapes (header, wrapped key and
// payload tile the whole value), so no stale memory can leak.

const UNSAFE_FROM = 4096;
const allocUnsafeSlow: ((size: number) => Uint8Array) | undefined = (
  globalThis as { Buffer?: { allocUnsafeSlow?: (size: number) => Uint8Array } }
).Buffer?.allocUnsafeSlow;

/** @internal A plain `Uint8Array` of `size` bytes that the caller fills completely. */
export function allocForOverwrite(size: number): Uint8Array {
  if (size < UNSAFE_FROM || allocUnsafeSlow === undefined) return new Uint8Array(size);
  const buffer = allocUnsafeSlow(size);
  // A plain Uint8Array view (not a Buffer, whose slice() would not copy) over its own ArrayBuffer.
  return new Uint8Array(buffer.buffer, buffer.byteOffset, size);
}
