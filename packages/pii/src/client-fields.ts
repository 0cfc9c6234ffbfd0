// The raw, non-PII-hashed client fields a platform may take in clear: IP address, user agent and
// mobile advertising id. Each is checked for its shape, so a kept field can never carry other data
// (an e-mail typed into the IP field) to a platform in clear.
import { z } from 'zod';
import { invalid, MAX_FIELD_LENGTH, type Normalized, valid } from './normalized.js';

// zod's IPv4 (dotted quad, no leading zeros) and IPv6 checks: portable, no node:net.
const IPV4 = z.ipv4();
const IPV6 = z.ipv6();
// An IDFA or GAID: a UUID in its 8-4-4-4-12 hex form.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

// Like every other field, each is refused as too_long before any other work (trimming 10 MB of
// spaces is work) when it is longer than MAX_FIELD_LENGTH.

/** An IPv4 or IPv6 address, trimmed (IPv6 lower-cased), or `invalid_format`. */
export function clientIp(input: string): Normalized {
  if (input.length > MAX_FIELD_LENGTH) return invalid('too_long');
  const ip = input.trim();
  if (ip.length === 0) return invalid('empty');
  // The longest textual IPv6 (IPv4-mapped, full form) has 45 characters.
  if (ip.length > 45) return invalid('too_long');
  if (IPV4.safeParse(ip).success) return valid(ip);
  return IPV6.safeParse(ip).success ? valid(ip.toLowerCase()) : invalid('invalid_format');
}

/** A user agent, trimmed, at most {@link MAX_FIELD_LENGTH} characters as received. */
export function clientUserAgent(input: string): Normalized {
  if (input.length > MAX_FIELD_LENGTH) return invalid('too_long');
  const agent = input.trim();
  return agent.length === 0 ? invalid('empty') : valid(agent);
}

/**
 * A mobile advertising id (IDFA/GAID): UUID-shaped, trimmed, case kept (or lower-cased for
 * platforms that ask for it). The all-zero id a device reports when tracking is limited identifies
 * no one and is refused like any other malformed id.
 */
export function deviceId(input: string, lowerCase: boolean): Normalized {
  if (input.length > MAX_FIELD_LENGTH) return invalid('too_long');
  const id = input.trim();
  if (id.length === 0) return invalid('empty');
  if (id.length > 36) return invalid('too_long');
  if (!UUID.test(id) || id === NIL_UUID) return invalid('invalid_format');
  return valid(lowerCase ? id.toLowerCase() : id);
}
