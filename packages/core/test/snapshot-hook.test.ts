// registerSnapshotClear, under both backends: it registers `clear` for both snapshot callbacks only
// while a snapshot is being built, and a node:v8 that is missing, partial or throws (a runtime that
// only mimics it) means no snapshots, never an error in the caller's seal.
import { describe, expect, it } from 'vitest';
import { registerSnapshotClear, runtimeStartupSnapshot } from '../src/_snapshot-hook.js';

interface Fake {
  registered: string[];
  hooks: {
    isBuildingSnapshot: () => boolean;
    addSerializeCallback: () => void;
    addDeserializeCallback: () => void;
  };
}

function fake(building: boolean | (() => boolean)): Fake {
  const registered: string[] = [];
  return {
    registered,
    hooks: {
      isBuildingSnapshot: typeof building === 'function' ? building : () => building,
      addSerializeCallback: () => {
        registered.push('serialize');
      },
      addDeserializeCallback: () => {
        registered.push('deserialize');
      },
    },
  };
}

describe('registerSnapshotClear', () => {
  it('registers for both callbacks while a snapshot is being built', () => {
    const { hooks, registered } = fake(true);
    registerSnapshotClear(hooks, () => {});
    expect(registered).toEqual(['serialize', 'deserialize']);
  });

  it('does nothing outside a snapshot build', () => {
    const { hooks, registered } = fake(false);
    registerSnapshotClear(hooks, () => {});
    expect(registered).toEqual([]);
  });

  const broken: Array<[string, unknown]> = [
    ['no node:v8', undefined],
    ['null', null],
    ['a partial object', { isBuildingSnapshot: () => true }],
    [
      'an isBuildingSnapshot that throws',
      fake(() => {
        throw new Error('not implemented');
      }).hooks,
    ],
  ];
  it.each(broken)('does nothing, and does not throw, with %s', (_name, hooks) => {
    expect(() => registerSnapshotClear(hooks, () => {})).not.toThrow();
  });

  it('finds node:v8 on Node without importing it (the noble backend uses this)', () => {
    const found = runtimeStartupSnapshot() as { isBuildingSnapshot?: unknown } | undefined;
    expect(typeof found?.isBuildingSnapshot).toBe('function');
  });
});
