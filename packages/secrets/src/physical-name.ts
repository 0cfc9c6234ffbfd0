// Physical names: the stored identity of a secret, derived from its ownership fields.
//
// Specification (physical name v1)
//
//   fields   = workspace, project, environment, namespace, name        (in this order)
//   input    = utf8("coffer/secret-name/v1")
//              || for each field f:  u16be(byteLength(utf8(f))) || utf8(f)
//   digest   = SHA-256(input)
//   name     = "CS" || first 26 symbols of Crockford-base32(digest)    (upper case; 28 characters)
//
// Each field is validated first (workspace, project, environment: /^[a-z0-9][a-z0-9._-]{0,127}$/;
// namespace, name: lowerCamelCase, at most 64 characters), so every field is 1..128 bytes of ASCII
// and its length fits the two-byte prefix. The length prefixes make the encoding injective: no two
// different field tuples give the same input (("ab", "c") and ("a", "bc") differ in their
// prefixes), so two names can only be equal through a SHA-256 collision. The domain string keeps
// these digests apart from every other SHA-256 use, and its `v1` lets a later derivation coexist.
//
// 26 symbols carry 130 bits of the digest. For n secrets the chance that any two share a name is at
// most n² / 2^131: below 2^-91 for a million secrets (Cloudflare's Secrets Store allows 100 per
// account). Finding a tuple that lands on a given secret's name (second preimage) costs about
// 2^130 SHA-256 evaluations. `CS` plus upper-case Crockford base32 is a valid JavaScript
// identifier, Cloudflare binding and environment-variable name, and compares the same in
// case-insensitive collations, so it can be used as-is wherever a name is needed.
import { sha256, toBase32Crockford, utf8Encode } from '@coffer/core';
import { assertCamelName, assertOwnerField } from './_identifiers.js';

const DOMAIN = utf8Encode('coffer/secret-name/v1');
const SYMBOLS = 26;

/** The five fields a physical name is derived from. */
export interface PhysicalNameFields {
  readonly workspace: string;
  readonly project: string;
  readonly environment: string;
  readonly namespace: string;
  readonly name: string;
}

/**
 * The physical name of a secret: `CS` and 26 Crockford-base32 symbols of SHA-256 over the
 * length-prefixed ownership fields (the derivation is specified at the top of this file and in
 * docs/app-secrets.md). Stable for the same fields on every deploy and runtime; reveals none of
 * them.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when a field breaks its identifier rule.
 * @example
 * ```ts
 * import { physicalName } from '@coffer/secrets';
 *
 * physicalName({
 *   workspace: 'acme',
 *   project: 'shop',
 *   environment: 'production',
 *   namespace: 'billing',
 *   name: 'stripeApiKey',
 * }); // 'CS3ANVMWJB6Q97PGA5BS1ZQ8NF1Y'
 * ```
 */
export function physicalName(fields: PhysicalNameFields): string {
  assertOwnerField(fields.workspace, 'workspace');
  assertOwnerField(fields.project, 'project');
  assertOwnerField(fields.environment, 'environment');
  assertCamelName(fields.namespace, 'namespace');
  assertCamelName(fields.name, 'name');
  const parts = [
    fields.workspace,
    fields.project,
    fields.environment,
    fields.namespace,
    fields.name,
  ].map((f) => utf8Encode(f));
  const input = new Uint8Array(DOMAIN.length + parts.reduce((n, p) => n + 2 + p.length, 0));
  input.set(DOMAIN, 0);
  let offset = DOMAIN.length;
  for (const part of parts) {
    input[offset] = part.length >>> 8;
    input[offset + 1] = part.length & 0xff;
    input.set(part, offset + 2);
    offset += 2 + part.length;
  }
  return `CS${toBase32Crockford(sha256(input)).slice(0, SYMBOLS)}`;
}
