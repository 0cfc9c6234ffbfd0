// Physical names: the committed vectors (computed with Python's hashlib, independently of coffer),
// a second implementation on node:crypto, injectivity of the encoding, and the identifier rules.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isCofferError } from '@coffer/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PhysicalNameFields, physicalName } from '../src/index.js';

const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/physical-name-v1.json', import.meta.url), 'utf8'),
) as { vectors: Array<{ fields: PhysicalNameFields; inputHex: string; physicalName: string }> };

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const FIELDS = ['workspace', 'project', 'environment', 'namespace', 'name'] as const;

/** The hash input as specified: domain, then each field with a two-byte big-endian length. */
function specInput(fields: PhysicalNameFields): Buffer {
  return Buffer.concat([
    Buffer.from('coffer/secret-name/v1', 'utf8'),
    ...FIELDS.map((f) => {
      const bytes = Buffer.from(fields[f], 'utf8');
      const length = Buffer.alloc(2);
      length.writeUInt16BE(bytes.length);
      return Buffer.concat([length, bytes]);
    }),
  ]);
}

/** An independent implementation: node:crypto and a bit-string base32. */
function reference(fields: PhysicalNameFields): string {
  const digest = createHash('sha256').update(specInput(fields)).digest();
  const bits = [...digest].map((b) => b.toString(2).padStart(8, '0')).join('');
  let out = '';
  for (let i = 0; i < 26 * 5; i += 5) out += CROCKFORD[Number.parseInt(bits.slice(i, i + 5), 2)];
  return `CS${out}`;
}

const camel = fc.stringMatching(/^[a-z][a-z0-9]{0,6}(?:[A-Z][a-z0-9]{0,3}){0,2}$/);
const ownerField = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,12}$/);
const fieldsArb = fc.record({
  workspace: ownerField,
  project: ownerField,
  environment: ownerField,
  namespace: camel,
  name: camel,
});

describe('physicalName', () => {
  it('matches every committed vector, and its hash input is the specified one', () => {
    expect(vectors.vectors.length).toBeGreaterThanOrEqual(8);
    for (const v of vectors.vectors) {
      expect(physicalName(v.fields)).toBe(v.physicalName);
      expect(specInput(v.fields).toString('hex')).toBe(v.inputHex);
    }
  });

  it('agrees with an independent implementation on random fields', () => {
    fc.assert(
      fc.property(fieldsArb, (fields) => {
        expect(physicalName(fields)).toBe(reference(fields));
      }),
    );
  });

  it('is 28 characters: CS and upper-case Crockford base32, an identifier everywhere', () => {
    fc.assert(
      fc.property(fieldsArb, (fields) => {
        expect(physicalName(fields)).toMatch(/^CS[0-9A-HJKMNP-TV-Z]{26}$/);
      }),
    );
  });

  it('shifting characters between fields changes the hash input (length prefixes)', () => {
    const a = vectors.vectors.find((v) => v.fields.workspace === 'ab');
    const b = vectors.vectors.find((v) => v.fields.workspace === 'a');
    expect(a?.physicalName).toBeDefined();
    expect(a?.physicalName).not.toBe(b?.physicalName);
    fc.assert(
      fc.property(fieldsArb, fieldsArb, (x, y) => {
        const same = FIELDS.every((f) => x[f] === y[f]);
        expect(specInput(x).equals(specInput(y))).toBe(same);
      }),
    );
  });

  it('is stable: the same fields give the same name on every call', () => {
    const fields = vectors.vectors[0]?.fields as PhysicalNameFields;
    expect(new Set(Array.from({ length: 5 }, () => physicalName({ ...fields }))).size).toBe(1);
  });

  it.each([
    ['workspace', 'Acme'],
    ['workspace', ''],
    ['workspace', 'a'.repeat(129)],
    ['project', 'shop/eu'],
    ['environment', 'prod\u0000'],
    ['environment', 'prodüction'],
    ['namespace', 'Billing'],
    ['namespace', 'bil_ling'],
    ['name', 'stripe-api-key'],
    ['name', 'a'.repeat(65)],
    ['name', 42],
    ['name', undefined],
  ])('refuses %s = %j with INVALID_INPUT', (field, value) => {
    const fields = { ...(vectors.vectors[0]?.fields as PhysicalNameFields), [field]: value };
    try {
      physicalName(fields as PhysicalNameFields);
      expect.unreachable('accepted');
    } catch (error) {
      expect(isCofferError(error, 'INVALID_INPUT')).toBe(true);
      expect((error as Error).message).not.toContain(String(value).slice(0, 20) || '∅');
    }
  });
});
