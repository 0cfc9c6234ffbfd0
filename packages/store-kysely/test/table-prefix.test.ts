import { isCofferError } from '@coffer/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TABLE_PREFIX, resolveSchemaName, resolveTablePrefix } from '../src/index.js';

describe('resolveTablePrefix', () => {
  it('runs its documented example', () => {
    expect(resolveTablePrefix(undefined)).toBe('coffer_');
    expect(resolveTablePrefix('billing_')).toBe('billing_');
    expect(DEFAULT_TABLE_PREFIX).toBe('coffer_');
  });

  it('accepts the empty prefix and plain identifiers up to 24 characters', () => {
    expect(resolveTablePrefix('')).toBe('');
    expect(resolveTablePrefix('_')).toBe('_');
    expect(resolveTablePrefix('a'.repeat(24))).toBe('a'.repeat(24));
  });

  const hostile: Array<[string, unknown]> = [
    ['number', 7],
    ['null', null],
    ['object', { prefix: 'x' }],
    ['upper case', 'Coffer_'],
    ['leading digit', '1coffer_'],
    ['quote', 'x"; drop table users; --'],
    ['space', 'my prefix'],
    ['dash', 'my-prefix'],
    ['dot (schema smuggling)', 'public.x_'],
    ['unicode', 'cöffer_'],
    ['zero-width', 'coffer\u200b_'],
    ['too long', 'a'.repeat(25)],
    ['huge', 'a'.repeat(100_000)],
  ];
  it.each(hostile)('rejects %s with INVALID_INPUT', (_label, value) => {
    let caught: unknown;
    try {
      resolveTablePrefix(value);
    } catch (e) {
      caught = e;
    }
    expect(isCofferError(caught, 'INVALID_INPUT')).toBe(true);
    expect((caught as Error).message).not.toContain(String(value).slice(0, 20) || '\u0000');
  });

  it('accepts exactly the strings matching [a-z_][a-z0-9_]{0,23}', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        const valid = s === '' || /^[a-z_][a-z0-9_]{0,23}$/.test(s);
        let ok = true;
        try {
          resolveTablePrefix(s);
        } catch (e) {
          ok = false;
          expect(isCofferError(e, 'INVALID_INPUT')).toBe(true);
        }
        expect(ok).toBe(valid);
      }),
    );
  });
});

describe('resolveSchemaName', () => {
  it('runs its documented example', () => {
    expect(resolveSchemaName('secrets')).toBe('secrets');
    expect(resolveSchemaName(undefined)).toBeUndefined();
  });

  it.each<[unknown, string]>([
    ['', 'empty'],
    ['pg_catalog', 'reserved pg_'],
    ['Public', 'upper case'],
    ['a'.repeat(64), 'too long'],
    ['x"y', 'quote'],
    [42, 'number'],
  ])('rejects %j (%s) with INVALID_INPUT', (value) => {
    expect(() => resolveSchemaName(value)).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
