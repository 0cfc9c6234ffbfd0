// Property tests: random plaintexts (0 B to 1 MiB), random contexts, both algorithms; and fuzzing
// of every parser the package has (sealed bytes, text form, keyring text).
import { isCofferError } from '@coffer/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ContextMap, type EnvelopeAlgorithm, inspectSealed, Keyring } from '../src/index.js';
import { envelopeFor, envKey, rejectionCode, sameBytes } from './_helpers.js';

const envelope = envelopeFor(`*2:${envKey(0x42)},1:${envKey(0x41)}`);
const oldEnvelope = envelopeFor(`*1:${envKey(0x41)}`);

const algorithm = fc.constantFrom<EnvelopeAlgorithm>('aes-256-gcm', 'xchacha20-poly1305');
const contextKey = fc.stringMatching(/^[A-Za-z0-9_.:/-]{1,64}$/);
/** Any well-formed string: 'binary' units are whole code points, so no lone surrogates. */
const contextValue = fc.string({ unit: 'binary', maxLength: 40 });
const context: fc.Arbitrary<ContextMap> = fc.dictionary(contextKey, contextValue, { maxKeys: 8 });

function sameContext(a: ContextMap, b: ContextMap): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

function shuffled(ctx: ContextMap, seed: number): ContextMap {
  const entries = Object.entries(ctx);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = (seed * (i + 7)) % (i + 1);
    [entries[i], entries[j]] = [entries[j] as [string, string], entries[i] as [string, string]];
  }
  return Object.fromEntries(entries);
}

describe('round trips', () => {
  it('opens what it sealed, for small plaintexts and any context, in any key order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        context,
        algorithm,
        fc.nat(),
        async (plaintext, ctx, alg, seed) => {
          const sealed = await envelope.seal(plaintext, { context: ctx, algorithm: alg });
          expect(sealed.length).toBe(plaintext.length + 94);
          expect(await envelope.open(sealed, { context: shuffled(ctx, seed) })).toEqual(plaintext);
          const asText = await envelope.sealToString(plaintext, { context: ctx, algorithm: alg });
          expect(await envelope.openString(asText, { context: ctx })).toEqual(plaintext);
          expect(inspectSealed(asText)).toEqual({ formatVersion: 1, algorithm: alg, kekId: '2' });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('opens what it sealed for large plaintexts up to 1 MiB', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 4096, max: 1 << 20 }),
        fc.integer({ min: 0, max: 255 }),
        context,
        algorithm,
        async (size, fill, ctx, alg) => {
          const plaintext = new Uint8Array(size);
          for (let i = 0; i < size; i += 4096) plaintext[i] = (fill + i) & 0xff;
          const sealed = await envelope.seal(plaintext, { context: ctx, algorithm: alg });
          expect(sealed.length).toBe(size + 94);
          expect(sameBytes(await envelope.open(sealed, { context: ctx }), plaintext)).toBe(true);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('round-trips the exact edges: 0 B and 1 MiB', async () => {
    for (const alg of ['aes-256-gcm', 'xchacha20-poly1305'] as const) {
      for (const size of [0, 1 << 20]) {
        const plaintext = new Uint8Array(size).fill(7);
        const sealed = await envelope.seal(plaintext, { context: {}, algorithm: alg });
        const opened = await envelope.open(sealed, { context: {} });
        expect(opened.length).toBe(size);
        expect(sameBytes(opened, plaintext)).toBe(true);
      }
    }
  });

  it('round-trips any well-formed string', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (value) => {
        const sealed = await envelope.seal(value, { context: {} });
        expect(new TextDecoder().decode(await envelope.open(sealed, { context: {} }))).toBe(value);
      }),
      { numRuns: 100 },
    );
  });
});

describe('context binding', () => {
  it('refuses any other context', async () => {
    await fc.assert(
      fc.asyncProperty(context, context, algorithm, async (a, b, alg) => {
        fc.pre(!sameContext(a, b));
        const sealed = await envelope.seal('v', { context: a, algorithm: alg });
        expect(await rejectionCode(envelope.open(sealed, { context: b }))).toBe('DECRYPT_FAILED');
      }),
      { numRuns: 150 },
    );
  });
});

describe('rewrap', () => {
  it('keeps the plaintext and the payload bytes, and moves the KEK id', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 1024 }),
        context,
        algorithm,
        async (plaintext, ctx, alg) => {
          const sealed = await oldEnvelope.seal(plaintext, { context: ctx, algorithm: alg });
          const rewrapped = await envelope.rewrap(sealed, { context: ctx });
          expect(inspectSealed(sealed).kekId).toBe('1');
          expect(inspectSealed(rewrapped).kekId).toBe('2');
          const tail = plaintext.length + 16;
          expect(rewrapped.subarray(rewrapped.length - tail)).toEqual(
            sealed.subarray(sealed.length - tail),
          );
          expect(await envelope.open(rewrapped, { context: ctx })).toEqual(plaintext);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('parsers never fail open and never crash', () => {
  const allowed = ['DECRYPT_FAILED', 'UNKNOWN_KEK', 'RETIRED_KEK'];

  it('open and inspectSealed on arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        expect(allowed).toContain(await rejectionCode(envelope.open(bytes, { context: {} })));
        try {
          inspectSealed(bytes);
        } catch (error) {
          expect(isCofferError(error, 'DECRYPT_FAILED')).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('open on arbitrary bytes behind a valid-looking header', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 2),
        fc.constantFrom('1', '2', 'x'),
        fc.integer({ min: 0, max: 0xffff }),
        fc.uint8Array({ maxLength: 200 }),
        async (alg, id, wrappedLength, rest) => {
          const header = new Uint8Array([
            1,
            alg,
            1,
            id.charCodeAt(0),
            wrappedLength >> 8,
            wrappedLength & 0xff,
          ]);
          const bytes = new Uint8Array(header.length + rest.length);
          bytes.set(header);
          bytes.set(rest, header.length);
          expect(allowed).toContain(await rejectionCode(envelope.open(bytes, { context: {} })));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('openString on arbitrary text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `cf1.${s}`),
        ),
        async (value) => {
          expect(allowed).toContain(
            await rejectionCode(envelope.openString(value, { context: {} })),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('Keyring.fromEnv on arbitrary text only ever throws INVALID_KEYRING', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.string().map((s) => `*1:${s}`),
        ),
        (value) => {
          try {
            Keyring.fromEnv(value);
          } catch (error) {
            expect(isCofferError(error, 'INVALID_KEYRING')).toBe(true);
            return;
          }
          throw new Error('random text parsed as a keyring');
        },
      ),
      { numRuns: 500 },
    );
  });
});
