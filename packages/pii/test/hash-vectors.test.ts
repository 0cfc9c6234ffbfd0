// The committed hash vectors (fixtures/hash-vectors-v1.json) are what every runtime must reproduce
// (runtimes/ runs the same file in workerd, Bun and Deno). Here: Node reproduces them, and the file
// itself is sane, so a drift in normalization shows up as a failing vector, not a silent new hash.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  google,
  type HashUserDataOptions,
  hashUserData,
  meta,
  type PlatformProfile,
  pepperFromEnv,
  snap,
  storage,
  tiktok,
} from '../src/index.js';

interface Vector {
  name: string;
  profile: string;
  options: Omit<HashUserDataOptions, 'profile' | 'pepper'>;
  input: Record<string, string>;
  expected: { userData: Record<string, string>; dropped: Array<{ field: string; reason: string }> };
}

const file = JSON.parse(
  readFileSync(new URL('./fixtures/hash-vectors-v1.json', import.meta.url), 'utf8'),
) as { pepperEnv: string; vectors: Vector[] };
const profiles: Record<string, PlatformProfile> = { meta, tiktok, google, snap, storage };
const pepper = pepperFromEnv(file.pepperEnv);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('hash vectors v1', () => {
  it('covers every profile', () => {
    expect(new Set(file.vectors.map((v) => v.profile))).toEqual(new Set(Object.keys(profiles)));
  });

  it.each(file.vectors.map((v) => [v.name, v] as const))('%s', (_, v) => {
    const profile = profiles[v.profile];
    if (profile === undefined) throw new Error(`unknown profile ${v.profile}`);
    const result = hashUserData(v.input, {
      profile,
      ...v.options,
      ...(v.profile === 'storage' ? { pepper } : {}),
    });
    expect({ userData: result.userData, dropped: result.dropped }).toEqual(v.expected);
  });

  it('holds answers that can be checked without coffer', () => {
    const byName = new Map(file.vectors.map((v) => [v.name, v]));
    // Meta: lower-cased, trimmed e-mail; E.164 digits of a US number.
    const us = byName.get('every field, US (meta)')?.expected.userData;
    expect(us?.em).toBe(sha256('joe.smith+promo@example.com'));
    expect(us?.ph).toBe(sha256('16505551234'));
    // Pre-hashed values pass through lower-cased.
    const pre = byName.get('pre-hashed values pass through (meta)')?.expected.userData;
    expect(pre?.em).toBe('2481f36dfc515ca76451aaadf1399026942a01ee50c6d0a61988b43cef039bc2');
    // Storage values are keyed: never the plain SHA-256 of anything above.
    const stored = byName.get('every field, US (storage)')?.expected.userData;
    expect(stored?.email).toMatch(/^v1:[0-9a-f]{64}$/);
    expect(stored?.email?.slice(3)).not.toBe(us?.em);
  });
});
