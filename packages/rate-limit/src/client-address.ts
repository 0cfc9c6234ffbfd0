// Which address is the client's. The socket's peer is the only address nobody can forge; behind a
// proxy it is the proxy's, and the client's is in X-Forwarded-For — which the client can also
// write. So X-Forwarded-For is read only as far as the host says it can be trusted: a number of
// proxy hops, or the proxies' addresses (docs/rate-limits.md, "Which address is the client's").
import { InvalidInputError } from '@coffer/core';
import {
  addressKey,
  type IpAddress,
  type IpRange,
  inRange,
  parseIp,
  parseRange,
} from './_ip-address.js';

/**
 * Which proxies in front of the app may be believed about the client's address:
 * `false` (the default) — none: the socket's peer is the client, X-Forwarded-For is ignored;
 * `{ hops: n }` — exactly `n` proxies stand in front of the app and every request passes all of
 * them: the client is the `n`-th address from the right of `X-Forwarded-For` + the peer;
 * `{ proxies: [...] }` — addresses or CIDR ranges of your proxies: walking from the peer leftwards
 * through `X-Forwarded-For`, the first address not in them is the client.
 */
export type TrustProxy =
  | false
  | { readonly hops: number }
  | { readonly proxies: readonly string[] };

/** Options of {@link createClientAddressResolver}. */
export interface ClientAddressOptions {
  /** Which proxies to believe (default `false`: none). */
  trustProxy?: TrustProxy;
  /**
   * How many leading bits of an IPv6 address identify one client (default 64: a host is usually
   * given a whole /64, so counting single IPv6 addresses would count nothing). 1–128.
   */
  ipv6PrefixBits?: number;
}

/**
 * The client's address of a request, as a bucket key (IPv4 dotted, IPv6 as its prefix), or null
 * when it cannot be known (no socket, and none remembered for the request).
 */
export type ClientAddressResolver = (request: unknown) => string | null;

const MAX_HOPS = 16;
const MAX_FORWARDED_LENGTH = 4096;

/** The socket of a Node request (Express, Fastify, `node:http`), if any. */
function socketOf(request: unknown): object | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const direct = (request as { socket?: unknown }).socket;
  if (typeof direct === 'object' && direct !== null) return direct;
  const raw = (request as { raw?: { socket?: unknown } }).raw?.socket;
  return typeof raw === 'object' && raw !== null ? raw : undefined;
}

/** The socket's peer address of a Node request (Express, Fastify, `node:http`), if any. */
function peerOf(request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const direct = (request as { socket?: { remoteAddress?: unknown } }).socket?.remoteAddress;
  if (typeof direct === 'string') return direct;
  const raw = (request as { raw?: { socket?: { remoteAddress?: unknown } } }).raw?.socket
    ?.remoteAddress;
  return typeof raw === 'string' ? raw : undefined;
}

function forwardedFor(request: unknown): string | null {
  if (typeof request !== 'object' || request === null) return null;
  const headers = (request as { headers?: unknown }).headers;
  if (typeof headers !== 'object' || headers === null) return null;
  const value =
    typeof (headers as { get?: unknown }).get === 'function'
      ? (headers as Headers).get('x-forwarded-for')
      : (headers as Record<string, unknown>)['x-forwarded-for'];
  // Node joins repeated X-Forwarded-For lines with ", "; a list is read the same way.
  const text = Array.isArray(value) ? value.join(',') : value;
  return typeof text === 'string' ? text : null;
}

/** One X-Forwarded-For entry: an address, maybe with a port (`1.2.3.4:80`, `[::1]:80`). */
function parseEntry(entry: string): IpAddress | null {
  const text = entry.trim();
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    return close === -1 ? null : parseIp(text.slice(1, close));
  }
  const colon = text.indexOf(':');
  if (colon !== -1 && colon === text.lastIndexOf(':') && text.includes('.')) {
    return parseIp(text.slice(0, colon));
  }
  return parseIp(text);
}

const remembered = new WeakMap<object, string>();

/**
 * Tells the resolvers the socket address of a request object that does not carry its socket (a
 * Fetch `Request` under Hono, Bun or Deno). Call it in a middleware before authentication; see
 * {@link honoClientAddress} for Hono on Node.
 *
 * @example
 * ```ts
 * import { rememberClientAddress } from '@coffer/rate-limit';
 *
 * const request = new Request('http://localhost/v1/whoami');
 * rememberClientAddress(request, '203.0.113.9'); // e.g. from getConnInfo(c).remote.address
 * ```
 */
export function rememberClientAddress(request: object, address: string): void {
  if (typeof address === 'string') remembered.set(request, address);
}

/**
 * Makes the function that finds a request's client address, with the trusted-proxy rule spelled
 * out: by default only the socket's peer counts, and `X-Forwarded-For` is ignored (anyone can
 * send it). Give `trustProxy` only for proxies you run. An entry of `X-Forwarded-For` that is not
 * an address ends the walk at the last trusted address, so a forged header cannot make up new
 * buckets. IPv4-mapped IPv6 addresses count as IPv4.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` for a `hops` outside 1–16, a malformed proxy address
 *   or range, or an `ipv6PrefixBits` outside 1–128.
 * @example
 * ```ts
 * import { createClientAddressResolver } from '@coffer/rate-limit';
 *
 * // One load balancer in front, which appends the client's address to X-Forwarded-For.
 * const clientAddress = createClientAddressResolver({ trustProxy: { hops: 1 } });
 * clientAddress({
 *   socket: { remoteAddress: '10.0.0.2' },
 *   headers: { 'x-forwarded-for': '198.51.100.7, 203.0.113.9' },
 * }); // '203.0.113.9' (the first entry was written by the client: ignored)
 * createClientAddressResolver()({ socket: { remoteAddress: '::ffff:10.0.0.2' }, headers: {} }); // '10.0.0.2'
 * ```
 */
export function createClientAddressResolver(
  options: ClientAddressOptions = {},
): ClientAddressResolver {
  const trust = options.trustProxy ?? false;
  const v6Bits = options.ipv6PrefixBits ?? 64;
  if (!Number.isSafeInteger(v6Bits) || v6Bits < 1 || v6Bits > 128) {
    throw new InvalidInputError('ipv6PrefixBits must be an integer from 1 to 128', {
      details: { parameter: 'ipv6PrefixBits' },
    });
  }
  let hops = 0;
  let proxies: IpRange[] | null = null;
  if (trust !== false) {
    if (typeof trust !== 'object' || trust === null) {
      throw new InvalidInputError('trustProxy must be false, { hops } or { proxies }', {
        details: { parameter: 'trustProxy' },
      });
    }
    if ('hops' in trust) {
      if (!Number.isSafeInteger(trust.hops) || trust.hops < 1 || trust.hops > MAX_HOPS) {
        throw new InvalidInputError(`trustProxy.hops must be an integer from 1 to ${MAX_HOPS}`, {
          details: { parameter: 'trustProxy.hops' },
        });
      }
      hops = trust.hops;
    } else if ('proxies' in trust && Array.isArray(trust.proxies) && trust.proxies.length > 0) {
      proxies = trust.proxies.map((text: unknown, i: number) => {
        const range = typeof text === 'string' ? parseRange(text) : null;
        if (range === null) {
          throw new InvalidInputError(
            `trustProxy.proxies[${i}] must be an IP address or CIDR range, e.g. "10.0.0.0/8"`,
            { details: { parameter: `trustProxy.proxies[${i}]` } },
          );
        }
        return range;
      });
    } else {
      throw new InvalidInputError('trustProxy must be false, { hops } or { proxies: [...] }', {
        details: { parameter: 'trustProxy' },
      });
    }
  }
  const trusted = (address: IpAddress, index: number): boolean =>
    proxies === null ? index < hops : proxies.some((range) => inRange(address, range));
  // Without trusted proxies the answer depends on the socket alone: keep-alive connections ask
  // once, not once per request.
  const bySocket = new WeakMap<object, string>();

  return (request) => {
    const socket = trust === false ? socketOf(request) : undefined;
    if (socket !== undefined) {
      const known = bySocket.get(socket);
      if (known !== undefined) return known;
    }
    const peerText =
      peerOf(request) ??
      (typeof request === 'object' && request !== null ? remembered.get(request) : undefined);
    const peer = peerText === undefined ? null : parseIp(peerText);
    if (peer === null) return null;
    if (trust === false) {
      const key = addressKey(peer, v6Bits);
      if (socket !== undefined && peerText === peerOf(request)) bySocket.set(socket, key);
      return key;
    }
    // Walk from the peer leftwards while the current address is a trusted proxy.
    let client = peer;
    if (!trusted(client, 0)) return addressKey(client, v6Bits);
    const header = forwardedFor(request);
    if (header === null || header.length > MAX_FORWARDED_LENGTH) return addressKey(client, v6Bits);
    const entries = header.split(',');
    for (let i = entries.length - 1, index = 1; i >= 0; i--, index++) {
      const next = parseEntry(entries[i] as string);
      if (next === null) break; // not an address: stop at the last one we could trust
      client = next;
      if (!trusted(client, index)) break;
    }
    return addressKey(client, v6Bits);
  };
}
