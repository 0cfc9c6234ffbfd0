// The committed known-answer vectors of format v1 must open, byte for byte, in every future
// version; and the spec's reference construction must rebuild them exactly.
import { readFileSync } from 'node:fs';
import { fromHex, toHex } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import { inspectSealed, Keyring } from '../src/index.js';
import { envelopeFor, envKey, rejectionCode, testKey } from './_helpers.js';
import { referenceSeal } from './_reference-format.js';

interface Vector {
  name: string;
  kekId: string;
  algorithm: 'aes-256-gcm' | 'xchacha20-poly1305';
  context: Record<string, string>;
  plaintextHex: string;
  dekHex: string;
  seedHex: string;
  counter: number;
  sealedHex: string;
  sealedText: string;
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/format-v1.json', import.meta.url), 'utf8'),
) as { keyringEnv: string; vectors: Vector[] };

const KEK_BYTES: Record<string, number> = {
  '1': 0x11,
  '2024-01': 0x22,
  'k.long-id_0123456789abcdef-XYZ.9': 0x33,
};

describe('format v1 known-answer vectors', () => {
  const envelope = envelopeFor(fixture.keyringEnv);

  it('has the vectors it was generated with', () => {
    expect(fixture.vectors).toHaveLength(5);
    expect(
      Keyring.fromEnv(fixture.keyringEnv)
        .list()
        .map((k) => k.id),
    ).toEqual(Object.keys(KEK_BYTES));
  });

  for (const v of fixture.vectors) {
    describe(v.name, () => {
      it('opens from bytes and from text', async () => {
        const plaintext = fromHex(v.plaintextHex);
        expect(await envelope.open(fromHex(v.sealedHex), { context: v.context })).toEqual(
          plaintext,
        );
        expect(await envelope.openString(v.sealedText, { context: v.context })).toEqual(plaintext);
      });

      it('has the header it was sealed with', () => {
        const header = { formatVersion: 1, algorithm: v.algorithm, kekId: v.kekId };
        expect(inspectSealed(fromHex(v.sealedHex))).toEqual(header);
        expect(inspectSealed(v.sealedText)).toEqual(header);
      });

      it('is exactly what the spec reference construction builds', () => {
        const sealed = referenceSeal({
          kek: testKey(KEK_BYTES[v.kekId] as number),
          kekId: v.kekId,
          algorithm: v.algorithm,
          context: v.context,
          plaintext: fromHex(v.plaintextHex),
          dek: fromHex(v.dekHex),
          seed: fromHex(v.seedHex),
          counter: v.counter,
        });
        expect(toHex(sealed)).toBe(v.sealedHex);
      });

      it('refuses another context', async () => {
        const other = { ...v.context, extra: 'x' };
        expect(await rejectionCode(envelope.open(fromHex(v.sealedHex), { context: other }))).toBe(
          'DECRYPT_FAILED',
        );
      });

      it('opens after rewrap to a new primary, keeping the payload bytes', async () => {
        const rotated = envelopeFor(`*new:${envKey(0x77)},${fixture.keyringEnv.slice(1)}`);
        const before = fromHex(v.sealedHex);
        const after = await rotated.rewrap(before, { context: v.context });
        expect(inspectSealed(after).kekId).toBe('new');
        const payloadLength = fromHex(v.plaintextHex).length + 16;
        expect(after.subarray(after.length - payloadLength)).toEqual(
          before.subarray(before.length - payloadLength),
        );
        expect(await rotated.open(after, { context: v.context })).toEqual(fromHex(v.plaintextHex));
      });
    });
  }
});
