// isCofferError decides by the brand CofferError's constructor sets on the error itself. A foreign
// error dressed up as a coffer error — its prototype set to CofferError.prototype, an object made
// from that prototype, an object inheriting from a real coffer error — is not one, and a proxy whose
// traps throw neither passes nor lets its trap's error (which could say anything) escape.
import { describe, expect, it } from 'vitest';
import { CofferError, DecryptionError, isCofferError } from '../src/index.js';

const leak = 'arn:aws:iam::123456789012:user/ci RequestId 7f3a9c';

describe('isCofferError and forged coffer errors', () => {
  it('refuses a foreign error whose prototype was set to CofferError.prototype', () => {
    const foreign = Object.assign(new Error(leak), { code: 'DECRYPT_FAILED', retryable: false });
    Object.setPrototypeOf(foreign, CofferError.prototype);
    expect(foreign instanceof CofferError).toBe(true);
    expect(isCofferError(foreign)).toBe(false);
    expect(isCofferError(foreign, 'DECRYPT_FAILED')).toBe(false);
  });

  it('refuses objects made from the prototype, or inheriting from a real coffer error', () => {
    const made = Object.create(DecryptionError.prototype, {
      message: { value: leak },
      code: { value: 'DECRYPT_FAILED' },
      name: { value: 'CofferError' },
    }) as unknown;
    expect(isCofferError(made)).toBe(false);
    const inheriting = Object.create(new DecryptionError(), {
      message: { value: leak },
    }) as unknown;
    expect(isCofferError(inheriting)).toBe(false);
  });

  it('is not fooled when CofferError[Symbol.hasInstance] is made to claim everything', () => {
    // What a hostile plug-in could do to every `instanceof CofferError` in the process.
    Object.defineProperty(CofferError, Symbol.hasInstance, {
      value: () => true,
      configurable: true,
    });
    try {
      const foreign = Object.assign(new Error(leak), { code: 'X', name: 'CofferError' });
      expect(foreign instanceof CofferError).toBe(true);
      expect(isCofferError(foreign)).toBe(false);
    } finally {
      Reflect.deleteProperty(CofferError, Symbol.hasInstance);
    }
    expect(new Error('x') instanceof CofferError).toBe(false);
  });

  it('returns false, never throws, for proxies whose traps throw', () => {
    const trap = (): never => {
      throw new Error(`trap ${leak}`);
    };
    const proxies = [
      new Proxy(new Error('x'), { getPrototypeOf: trap }),
      new Proxy(new Error('x'), { getOwnPropertyDescriptor: trap }),
      new Proxy(new Error('x'), { get: trap }),
      new Proxy(new DecryptionError(), { get: trap }),
      new Proxy({}, { getPrototypeOf: trap, getOwnPropertyDescriptor: trap, get: trap }),
    ];
    for (const proxy of proxies) {
      expect(() => isCofferError(proxy)).not.toThrow();
      expect(isCofferError(proxy)).toBe(false);
      expect(isCofferError(proxy, 'DECRYPT_FAILED')).toBe(false);
    }
  });

  it('still recognises real coffer errors, with and without a code', () => {
    expect(isCofferError(new DecryptionError())).toBe(true);
    expect(isCofferError(new DecryptionError(), 'DECRYPT_FAILED')).toBe(true);
    expect(isCofferError(new CofferError('KMS_UNAVAILABLE', 'later', { retryable: true }))).toBe(
      true,
    );
    // A proxy that forwards everything to a real coffer error is that error.
    expect(isCofferError(new Proxy(new DecryptionError(), {}), 'DECRYPT_FAILED')).toBe(true);
  });
});
