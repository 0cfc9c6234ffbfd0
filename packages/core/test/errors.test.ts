import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  CofferError,
  DecryptionError,
  EncodingError,
  fromHex,
  InvalidInputError,
  isCofferError,
} from '../src/index.js';

describe('CofferError', () => {
  it('carries code, status, details and retryable (TSDoc example)', () => {
    const err = new CofferError(
      'NOT_FOUND',
      'No vault entry has that id; check the id you stored.',
      {
        status: 404,
        details: { id: '0190a3c2-0000-7000-8000-000000000000' },
      },
    );
    expect(err.code).toBe('NOT_FOUND');
    expect(err.status).toBe(404);
    expect(err.retryable).toBe(false);
    expect(err.name).toBe('CofferError');
    expect(err).toBeInstanceOf(Error);
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'CofferError',
      code: 'NOT_FOUND',
      message: 'No vault entry has that id; check the id you stored.',
      status: 404,
      details: { id: '0190a3c2-0000-7000-8000-000000000000' },
      retryable: false,
    });
  });

  it('JSON never includes the stack or the cause', () => {
    const err = new CofferError('X', 'm', { cause: new Error('inner detail') });
    const json = JSON.stringify(err);
    expect(json).not.toContain('inner detail');
    expect(json).not.toContain('at ');
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('details are a frozen copy', () => {
    const details = { a: 1 };
    const err = new CofferError('X', 'm', { details });
    details.a = 2;
    expect(err.details).toEqual({ a: 1 });
    expect(Object.isFrozen(err.details)).toBe(true);
  });

  it('subclasses have stable codes and statuses', () => {
    expect(new InvalidInputError('bad').code).toBe('INVALID_INPUT');
    expect(new InvalidInputError('bad').status).toBe(400);
    expect(new InvalidInputError('bad').name).toBe('InvalidInputError');
    expect(new EncodingError('bad').code).toBe('INVALID_ENCODING');
    expect(new DecryptionError().code).toBe('DECRYPT_FAILED');
    expect(new CofferError('BUSY', 'later', { retryable: true }).retryable).toBe(true);
    expect(inspect(new DecryptionError())).toContain('DECRYPT_FAILED');
  });
});

describe('isCofferError', () => {
  it('narrows by class and code (TSDoc example)', () => {
    const e: unknown = new InvalidInputError('limit must be a positive integer');
    expect(isCofferError(e)).toBe(true);
    expect(isCofferError(e, 'INVALID_INPUT')).toBe(true);
    expect(isCofferError(e, 'NOT_FOUND')).toBe(false);
  });

  it('recognises an error from another copy of the package by its brand', async () => {
    // A second instance of the module, as a second installed copy of @coffer/core would be.
    const specifier = new URL('../src/errors.ts?second-copy', import.meta.url).href;
    const copy = (await import(specifier)) as typeof import('../src/errors.js');
    expect(copy.CofferError).not.toBe(CofferError);
    const fromCopy = new copy.DecryptionError();
    expect(fromCopy).not.toBeInstanceOf(CofferError);
    expect(isCofferError(fromCopy, 'DECRYPT_FAILED')).toBe(true);
    expect(copy.isCofferError(new InvalidInputError('bad'), 'INVALID_INPUT')).toBe(true);
  });

  it('does not take a look-alike foreign error for a coffer error', () => {
    // The shape of an AWS SDK v2 error: a string code and a boolean retryable.
    const aws = Object.assign(new Error('User arn:aws:iam::1:user/bob is not authorized'), {
      name: 'AccessDeniedException',
      code: 'AccessDeniedException',
      retryable: false,
      statusCode: 400,
    });
    expect(isCofferError(aws)).toBe(false);
    expect(isCofferError(aws, 'AccessDeniedException')).toBe(false);
    // Copying a coffer error's enumerable fields does not copy the brand either.
    const copied = Object.assign(new Error('copied'), { ...new DecryptionError() });
    expect(isCofferError(copied)).toBe(false);
  });

  it.each([
    null,
    undefined,
    'DECRYPT_FAILED',
    42,
    {},
    { code: 'X' },
    new Error('plain'),
    new TypeError('t'),
  ])('rejects %s', (value) => {
    expect(isCofferError(value)).toBe(false);
  });

  it('an EncodingError does not echo its input', () => {
    try {
      fromHex('zz-secret-zz');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EncodingError);
      expect(String(e)).not.toContain('secret');
      expect(JSON.stringify(e)).not.toContain('secret');
    }
  });
});
