// Every single-bit flip, truncation and extension of a small sealed value is rejected. Only a
// change inside the KEK id may surface as UNKNOWN_KEK or RETIRED_KEK (the id is public header
// data); everything else is the one opaque DECRYPT_FAILED.
import { toBase64Url } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import { type EnvelopeAlgorithm, inspectSealed } from '../src/index.js';
import { envelopeFor, envKey, rejectionCode } from './_helpers.js';

// '1' is 0x31. Flipping bit 1 gives '3' (an active key: a wrong key, so DECRYPT_FAILED), bit 2
// gives '5' (retired: RETIRED_KEK); other flips give ids nobody has (UNKNOWN_KEK) or bytes that
// are not id characters (DECRYPT_FAILED).
const envelope = envelopeFor(`*1:${envKey(0x41)},3:${envKey(3)},!5:${envKey(5)}`);
const context = { vaultId: 'v_1', tenant: 'acme' };
const KEK_ID_INDEX = 3;

for (const algorithm of ['aes-256-gcm', 'xchacha20-poly1305'] as EnvelopeAlgorithm[]) {
  describe(`tampering, ${algorithm}`, () => {
    it('rejects every single-bit flip', async () => {
      const sealed = await envelope.seal('hi', { context, algorithm });
      expect(await envelope.open(sealed, { context })).toEqual(new TextEncoder().encode('hi'));
      const codes = new Map<number, Set<string>>();
      for (let i = 0; i < sealed.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const altered = sealed.slice();
          altered[i] = (altered[i] as number) ^ (1 << bit);
          const code = await rejectionCode(envelope.open(altered, { context }));
          if (!codes.has(i)) codes.set(i, new Set());
          codes.get(i)?.add(code);
          if (i === KEK_ID_INDEX && bit === 1) expect(code).toBe('DECRYPT_FAILED');
          if (i === KEK_ID_INDEX && bit === 2) expect(code).toBe('RETIRED_KEK');
        }
      }
      for (const [i, seen] of codes) {
        if (i === KEK_ID_INDEX) {
          expect([...seen].sort()).toEqual(['DECRYPT_FAILED', 'RETIRED_KEK', 'UNKNOWN_KEK']);
        } else {
          expect([...seen]).toEqual(['DECRYPT_FAILED']);
        }
      }
      expect(codes.size).toBe(sealed.length);
    });

    it('rejects every truncation', async () => {
      const sealed = await envelope.seal('hi', { context, algorithm });
      for (let length = 0; length < sealed.length; length++) {
        expect(await rejectionCode(envelope.open(sealed.slice(0, length), { context }))).toBe(
          'DECRYPT_FAILED',
        );
        expect(
          await rejectionCode(envelope.open(sealed.slice(sealed.length - length), { context })),
        ).toBe('DECRYPT_FAILED');
      }
    });

    it('rejects every extension', async () => {
      const sealed = await envelope.seal('hi', { context, algorithm });
      for (let extra = 1; extra <= 64; extra++) {
        for (const fill of [0x00, 0xff, extra]) {
          const longer = new Uint8Array(sealed.length + extra).fill(fill);
          longer.set(sealed, 0);
          expect(await rejectionCode(envelope.open(longer, { context }))).toBe('DECRYPT_FAILED');
          const prefixed = new Uint8Array(sealed.length + extra).fill(fill);
          prefixed.set(sealed, extra);
          expect(await rejectionCode(envelope.open(prefixed, { context }))).toBe('DECRYPT_FAILED');
        }
      }
    });

    it('rejects every one-character change of the text form', async () => {
      const sealed = await envelope.sealToString('hi', { context, algorithm });
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      for (let i = 0; i < sealed.length; i++) {
        const current = sealed.charAt(i);
        const replacement = alphabet.charAt((alphabet.indexOf(current) + 1) % alphabet.length);
        const altered = sealed.slice(0, i) + replacement + sealed.slice(i + 1);
        const code = await rejectionCode(envelope.openString(altered, { context }));
        expect(['DECRYPT_FAILED', 'UNKNOWN_KEK', 'RETIRED_KEK']).toContain(code);
      }
    });

    it('rewrap rejects flips in the header and wrapped key; open catches payload flips', async () => {
      const sealed = await envelope.seal('hi', { context, algorithm });
      const payloadStart = sealed.length - 2 - 16;
      for (let i = 0; i < sealed.length; i++) {
        const altered = sealed.slice();
        altered[i] = (altered[i] as number) ^ 0x80;
        if (i < payloadStart) {
          // (Flipping the top bit of the id byte makes it a non-id character: DECRYPT_FAILED too.)
          expect(await rejectionCode(envelope.rewrap(altered, { context }))).toBe('DECRYPT_FAILED');
        } else {
          // rewrap never decrypts the payload (documented); the damage is still caught on open.
          const rewrapped = await envelope.rewrap(altered, { context });
          expect(await rejectionCode(envelope.open(rewrapped, { context }))).toBe('DECRYPT_FAILED');
        }
      }
    });
  });
}

describe('malformed text forms', () => {
  it('rejects wrong prefixes, padding, whitespace and non-base64url', async () => {
    const sealed = await envelope.sealToString('hi', { context });
    const body = sealed.slice(4);
    const bad = [
      '',
      'cf1.',
      body,
      `cf2.${body}`,
      `CF1.${body}`,
      `cf1:${body}`,
      ` ${sealed}`,
      `${sealed} `,
      `${sealed}\n`,
      `${sealed}=`,
      `${sealed}A`,
      `cf1.${body.replace(/-/g, '+').replace(/_/g, '/')}x`,
      `cf1.${toBase64Url(new Uint8Array(100))}`,
      'cf1.😀',
    ];
    for (const text of bad) {
      expect(await rejectionCode(envelope.openString(text, { context }))).toBe('DECRYPT_FAILED');
      expect(() => inspectSealed(text)).toThrow(
        expect.objectContaining({ code: 'DECRYPT_FAILED' }),
      );
    }
  });
});
