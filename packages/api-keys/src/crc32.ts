// CRC-32 (IEEE 802.3, the polynomial zlib, PNG and gzip use; reflected, init and final XOR
// 0xFFFFFFFF). It is the API-key checksum: it catches typos and garbage offline. It is not a MAC
// and protects nothing against someone who means to forge; bcrypt does that.

const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Continues a CRC-32 over ASCII text (code units below 0x80 only) from a running state. */
function updateAscii(state: number, text: string): number {
  let c = state;
  for (let i = 0; i < text.length; i++) {
    c = (TABLE[(c ^ text.charCodeAt(i)) & 0xff] ?? 0) ^ (c >>> 8);
  }
  return c;
}

/** Continues a CRC-32 over `bytes[0, end)` from a running state. */
function updateBytes(state: number, bytes: Uint8Array, end: number): number {
  let c = state;
  for (let i = 0; i < end; i++) {
    c = (TABLE[(c ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  }
  return c;
}

/**
 * CRC-32 of the ASCII `text` followed by the first `end` bytes of `bytes`, as an unsigned integer.
 * The caller guarantees `text` is ASCII (the key format's pattern checks it first).
 */
export function crc32(text: string, bytes: Uint8Array, end: number): number {
  return (updateBytes(updateAscii(0xffffffff, text), bytes, end) ^ 0xffffffff) >>> 0;
}
