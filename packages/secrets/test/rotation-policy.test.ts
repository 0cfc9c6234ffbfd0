// The `rotation` option of every declaration: durations as ms or short text, retention by count
// or by time, and hostile values refused with INVALID_INPUT naming the parameter.
import { isCofferError } from '@coffer/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { secret } from '../src/index.js';

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

function refused(rotation: unknown): string | undefined {
  try {
    secret.random({ consumers: ['api'], rotation: rotation as never });
    return undefined;
  } catch (error) {
    expect(isCofferError(error) && error.code).toBe('INVALID_INPUT');
    return (error as { details?: { parameter?: string } }).details?.parameter;
  }
}

describe('rotation policy', () => {
  it('defaults: never due, the previous version accepted', () => {
    expect(secret.static({ consumers: ['api'] }).rotation).toEqual({
      intervalMs: null,
      retain: { kind: 'versions', versions: 1 },
    });
  });

  it('resolves text and ms durations and both kinds of retention', () => {
    expect(
      secret.random({ consumers: ['api'], rotation: { every: '30d', retain: { for: '12h' } } })
        .rotation,
    ).toEqual({
      intervalMs: 30 * UNITS.d,
      retain: { kind: 'duration', ms: 12 * UNITS.h },
    });
    expect(
      secret.generated({
        consumers: ['api'],
        generate: async () => ({ value: 'x' }),
        rotation: { every: 90_000, retain: { versions: 0 } },
      }).rotation,
    ).toEqual({ intervalMs: 90_000, retain: { kind: 'versions', versions: 0 } });
  });

  it('every "<n><unit>" within bounds parses to n × unit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3650 }),
        fc.constantFrom(...(Object.keys(UNITS) as (keyof typeof UNITS)[])),
        (n, unit) => {
          const ms = n * UNITS[unit];
          const text = `${n}${unit}` as `${number}ms`;
          if (ms < 1000) {
            expect(refused({ every: text })).toBe('rotation.every');
          } else {
            expect(
              secret.random({ consumers: ['api'], rotation: { every: text } }).rotation.intervalMs,
            ).toBe(ms);
          }
        },
      ),
    );
  });

  it.each([
    [{ every: '30x' }, 'rotation.every'],
    [{ every: '1e3d' }, 'rotation.every'],
    [{ every: ' 30d' }, 'rotation.every'],
    [{ every: '30D' }, 'rotation.every'],
    [{ every: '-1d' }, 'rotation.every'],
    [{ every: -1 }, 'rotation.every'],
    [{ every: 1.5e3 + 0.5 }, 'rotation.every'],
    [{ every: 999 }, 'rotation.every'],
    [{ every: '99999999999d' }, 'rotation.every'],
    [{ every: Number.MAX_SAFE_INTEGER }, 'rotation.every'],
    [{ every: '３０d' }, 'rotation.every'],
    [{ every: '' }, 'rotation.every'],
    [{ every: null }, 'rotation.every'],
    [{ retain: { versions: 16 } }, 'rotation.retain.versions'],
    [{ retain: { versions: -1 } }, 'rotation.retain.versions'],
    [{ retain: { versions: '1' } }, 'rotation.retain.versions'],
    [{ retain: { versions: 1, for: '1d' } }, 'rotation.retain'],
    [{ retain: {} }, 'rotation.retain'],
    [{ retain: null }, 'rotation.retain'],
    [{ retain: { for: '1y' } }, 'rotation.retain.for'],
    ['30d', 'rotation'],
    [[], 'rotation'],
    [null, 'rotation'],
  ])('refuses %j', (rotation, parameter) => {
    expect(refused(rotation)).toBe(parameter);
  });
});
