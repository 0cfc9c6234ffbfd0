import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, constantTimeEqualString, isCofferError } from '../src/index.js';

describe('constant-time equality', () => {
  it('matches ordinary equality on bytes (TSDoc example + property)', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([]), new Uint8Array([]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([0]), new Uint8Array([]))).toBe(false);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(Buffer.from(a).equals(Buffer.from(b)));
        expect(constantTimeEqual(a, a.slice())).toBe(true);
      }),
    );
  });

  it('matches ordinary equality on strings', () => {
    expect(constantTimeEqualString('sig=abc', 'sig=abc')).toBe(true);
    expect(constantTimeEqualString('sig=abc', 'sig=abd')).toBe(false);
    expect(constantTimeEqualString('é', 'e\u0301')).toBe(false);
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(constantTimeEqualString(a, b)).toBe(
          a === b || Buffer.from(a).equals(Buffer.from(b)),
        );
      }),
    );
  });

  it.each([
    [() => constantTimeEqual('a' as never, new Uint8Array())],
    [() => constantTimeEqual(new Uint8Array(), [0] as never)],
    [() => constantTimeEqualString(1 as never, 'a')],
    [() => constantTimeEqualString('a', undefined as never)],
  ])('wrong types are refused with INVALID_INPUT (%#)', (fn) => {
    try {
      fn();
      expect.unreachable();
    } catch (e) {
      expect(isCofferError(e, 'INVALID_INPUT')).toBe(true);
    }
  });
});
