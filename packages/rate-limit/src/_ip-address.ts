// IP addresses and CIDR ranges, parsed strictly by hand (no node:net, so the package runs wherever
// Hono does). An address becomes 16 bytes: IPv6 as is, IPv4 as an IPv4-mapped IPv6 address
// (::ffff:a.b.c.d), so one comparison serves both families.

/** A parsed address: its 16 bytes and whether it is IPv4 (or IPv4-mapped IPv6). */
export interface IpAddress {
  readonly bytes: Uint8Array;
  readonly v4: boolean;
}

/** A parsed range: a network address and how many leading bits must match. */
export interface IpRange {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

const DECIMAL_OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
const MAX_TEXT = 64;

function parseV4(text: string, out: Uint8Array, at: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!DECIMAL_OCTET.test(part)) return false;
    out[at + i] = Number(part);
  }
  return true;
}

function parseGroups(text: string): number[] | null {
  if (text === '') return [];
  const groups: number[] = [];
  for (const group of text.split(':')) {
    if (!HEX_GROUP.test(group)) return null;
    groups.push(Number.parseInt(group, 16));
  }
  return groups;
}

function parseV6(text: string): Uint8Array | null {
  const bytes = new Uint8Array(16);
  let body = text;
  // An embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) fills the last four bytes.
  let tail = 0;
  const lastColon = body.lastIndexOf(':');
  if (body.includes('.', lastColon)) {
    if (!parseV4(body.slice(lastColon + 1), bytes, 12)) return null;
    body = `${body.slice(0, lastColon + 1)}0:0`;
    tail = 4;
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  let groups: number[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0] as string);
    const rest = parseGroups(halves[1] as string);
    if (head === null || rest === null || head.length + rest.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
  } else {
    const all = parseGroups(body);
    if (all === null || all.length !== 8) return null;
    groups = all;
  }
  for (let i = 0; i < 8; i++) {
    const g = groups[i] as number;
    if (i * 2 >= 16 - tail) break;
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  }
  return bytes;
}

function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/**
 * Parses an IPv4 or IPv6 address (a zone such as `%eth0` is dropped; brackets are not accepted
 * here). Returns null for anything else: names, ports, leading zeros in IPv4, `unknown`.
 */
export function parseIp(text: string): IpAddress | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT) return null;
  if (!text.includes(':')) {
    const bytes = new Uint8Array(16);
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    return parseV4(text, bytes, 12) ? { bytes, v4: true } : null;
  }
  const zone = text.indexOf('%');
  const bare = zone === -1 ? text : text.slice(0, zone);
  if (zone !== -1 && zone === text.length - 1) return null;
  const bytes = parseV6(bare);
  return bytes === null ? null : { bytes, v4: isV4Mapped(bytes) };
}

/**
 * Parses `a.b.c.d/n`, `x:y::/n` or a single address (a range of one). IPv4 prefixes count IPv4
 * bits (0–32). Returns null when malformed.
 */
export function parseRange(text: string): IpRange | null {
  if (typeof text !== 'string') return null;
  const slash = text.indexOf('/');
  const address = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (address === null) return null;
  const max = address.v4 ? 32 : 128;
  let bits = max;
  if (slash !== -1) {
    const suffix = text.slice(slash + 1);
    if (!/^(?:0|[1-9]\d{0,2})$/.test(suffix)) return null;
    bits = Number(suffix);
    if (bits > max) return null;
  }
  return { bytes: address.bytes, bits: address.v4 ? bits + 96 : bits };
}

/** Whether `address` lies in `range`. */
export function inRange(address: IpAddress, range: IpRange): boolean {
  const full = range.bits >> 3;
  for (let i = 0; i < full; i++) if (address.bytes[i] !== range.bytes[i]) return false;
  const rest = range.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((address.bytes[full] as number) & mask) === ((range.bytes[full] as number) & mask);
}

/**
 * The text a limiter keys an address by: IPv4 dotted, IPv6 as its first `v6PrefixBits` bits (one
 * host usually owns a whole /64, so counting single IPv6 addresses would count nothing).
 */
export function addressKey(address: IpAddress, v6PrefixBits: number): string {
  const b = address.bytes;
  if (address.v4) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const bytes = Math.ceil(v6PrefixBits / 8);
  let hex = '';
  for (let i = 0; i < bytes; i++) {
    let value = b[i] as number;
    if (i === bytes - 1 && v6PrefixBits % 8 !== 0)
      value &= (0xff << (8 - (v6PrefixBits % 8))) & 0xff;
    hex += value.toString(16).padStart(2, '0');
  }
  return `${hex}/${v6PrefixBits}`;
}
