// @coffer/envelope with the local key provider: the committed format-v1 vectors and this run's
// Node-sealed values open here; values sealed and rewrapped here go back to Node (driver's interop).
import { fromBase64Url, fromHex, randomBytes, toHex, utf8Encode } from '@coffer/core';
import {
  createEnvelope,
  createLocalKeyProvider,
  type EnvelopeAlgorithm,
  inspectSealed,
  Keyring,
} from '@coffer/envelope';
import type { CheckContext } from './check.ts';
import { equal, group, rejectsCode } from './check.ts';

/** The public header bytes of a sealed value: version, algorithm, KEK id length, KEK id. */
export function headerBytes(sealed: Uint8Array): Uint8Array {
  return sealed.subarray(0, 3 + (sealed[2] ?? 0));
}

const sealedBytes = (text: string): Uint8Array => fromBase64Url(text.slice('cf1.'.length));

function envelopeFor(keyringEnv: string, algorithm: EnvelopeAlgorithm = 'aes-256-gcm') {
  return createEnvelope({
    provider: createLocalKeyProvider(Keyring.fromEnv(keyringEnv)),
    algorithm,
  });
}

/** What this runtime seals for Node to open (outputs `envelope.sealedHere`). */
export interface SealedHere {
  readonly algorithm: EnvelopeAlgorithm;
  readonly context: Record<string, string>;
  readonly plaintextHex: string;
  readonly sealedText: string;
  readonly rewrappedText?: string;
}

export const envelopeChecks = group('envelope', [
  {
    name: 'opens every format-v1 known-answer vector, from bytes and from text',
    run: async ({ fixture: { envelope: f } }: CheckContext) => {
      const envelope = envelopeFor(f.keyringEnv);
      for (const v of f.formatV1) {
        const plaintext = fromHex(v.plaintextHex);
        equal(await envelope.open(fromHex(v.sealedHex), { context: v.context }), plaintext, v.name);
        equal(
          await envelope.openString(v.sealedText, { context: v.context }),
          plaintext,
          `${v.name} (text)`,
        );
        equal(
          inspectSealed(v.sealedText),
          { formatVersion: 1, algorithm: v.algorithm, kekId: v.kekId },
          `${v.name} header`,
        );
      }
    },
  },
  {
    name: 'opens values sealed on Node in this run (both algorithms, up to 64 KiB)',
    run: async ({ fixture: { envelope: f } }: CheckContext) => {
      const envelope = envelopeFor(f.keyringEnv);
      for (const v of f.sealedOnNode) {
        equal(
          await envelope.openString(v.sealedText, { context: v.context }),
          fromHex(v.plaintextHex),
          v.name,
        );
      }
    },
  },
  {
    name: "seals with byte-identical headers to Node's, for Node to open",
    run: async (ctx: CheckContext) => {
      const f = ctx.fixture.envelope;
      const sealedHere: SealedHere[] = [];
      for (const algorithm of ['aes-256-gcm', 'xchacha20-poly1305'] as const) {
        const envelope = envelopeFor(f.keyringEnv, algorithm);
        const fromNode = f.sealedOnNode.find((v) => v.algorithm === algorithm);
        if (fromNode === undefined) throw new Error(`no ${algorithm} value from Node`);
        for (const plaintext of [
          new Uint8Array(0),
          utf8Encode(`sealed in ${ctx.target} ☃`),
          randomBytes(4096),
        ]) {
          const context = { vaultId: 'v_runtime', tenant: ctx.target };
          const sealedText = await envelope.sealToString(plaintext, { context });
          equal(
            toHex(headerBytes(sealedBytes(sealedText))),
            toHex(headerBytes(sealedBytes(fromNode.sealedText))),
            `${algorithm} header bytes`,
          );
          equal(
            await envelope.openString(sealedText, { context }),
            plaintext,
            `${algorithm} opens here`,
          );
          sealedHere.push({ algorithm, context, plaintextHex: toHex(plaintext), sealedText });
        }
      }
      ctx.output('envelope.sealedHere', sealedHere);
    },
  },
  {
    name: "rewraps Node's values under a new primary KEK, payload untouched, for Node to open",
    run: async (ctx: CheckContext) => {
      const f = ctx.fixture.envelope;
      const rotated = envelopeFor(f.rotatedKeyringEnv);
      const rewrapped: SealedHere[] = [];
      for (const v of f.sealedOnNode) {
        const before = sealedBytes(v.sealedText);
        const after = await rotated.rewrap(before, { context: v.context });
        equal(
          inspectSealed(after),
          { formatVersion: 1, algorithm: v.algorithm, kekId: '4' },
          `${v.name} header after rewrap`,
        );
        // The payload (after the wrapped key) is the same bytes: rewrap touches only the key.
        const payload = (bytes: Uint8Array) => {
          const end = 3 + (bytes[2] ?? 0);
          const wrappedLength = ((bytes[end] ?? 0) << 8) | (bytes[end + 1] ?? 0);
          return bytes.subarray(end + 2 + wrappedLength);
        };
        equal(toHex(payload(after)), toHex(payload(before)), `${v.name} payload`);
        equal(
          await rotated.open(after, { context: v.context }),
          fromHex(v.plaintextHex),
          `${v.name} opens`,
        );
        rewrapped.push({
          algorithm: v.algorithm,
          context: v.context,
          plaintextHex: v.plaintextHex,
          sealedText: v.sealedText,
          rewrappedText: await rotated.rewrapString(v.sealedText, { context: v.context }),
        });
      }
      ctx.output('envelope.rewrappedHere', rewrapped);
    },
  },
  {
    name: 'fails closed: wrong context, altered byte, unknown KEK',
    run: async ({ fixture: { envelope: f } }: CheckContext) => {
      const envelope = envelopeFor(f.keyringEnv);
      const v = f.sealedOnNode[1];
      if (v === undefined) throw new Error('no sealed value from Node');
      await rejectsCode(
        envelope.openString(v.sealedText, { context: { ...v.context, tenant: 'other' } }),
        'DECRYPT_FAILED',
        'wrong context',
      );
      const altered = sealedBytes(v.sealedText);
      const last = altered.length - 1;
      altered[last] = (altered[last] ?? 0) ^ 0x80;
      await rejectsCode(
        envelope.open(altered, { context: v.context }),
        'DECRYPT_FAILED',
        'altered tag',
      );
      const onlyKek2 = envelopeFor(
        f.keyringEnv
          .split(',')
          .filter((e) => e.startsWith('2024-01'))
          .map((e) => `*${e}`)
          .join(','),
      );
      await rejectsCode(
        onlyKek2.openString(v.sealedText, { context: v.context }),
        'UNKNOWN_KEK',
        'unknown KEK',
      );
    },
  },
]);
