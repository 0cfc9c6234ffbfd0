// onProcessSnapshot outside a snapshot build: validates its argument, never calls back, keeps
// nothing. The real snapshot (node --build-snapshot, two processes started from it) is exercised in
// packages/envelope/test/process-snapshot.test.ts, where the state that must not be cloned lives.
import { describe, expect, it } from 'vitest';
import nobleBackend from '../src/_crypto-noble.js';
import nodeBackend from '../src/_crypto-node.js';
import { onProcessSnapshot, randomBytes } from '../src/index.js';
import { codeOf } from './code-of.js';

describe('onProcessSnapshot', () => {
  it('works as the TSDoc example says, and never calls back in a normal process', () => {
    let pool: Uint8Array | undefined;
    let cleared = 0;
    const pooled = (): Uint8Array => {
      if (pool === undefined) {
        pool = randomBytes(4096);
        onProcessSnapshot(() => {
          cleared++;
          pool?.fill(0);
          pool = undefined;
        });
      }
      return pool;
    };
    expect(pooled().length).toBe(4096);
    expect(pooled()).toBe(pool);
    expect(cleared).toBe(0);
  });

  it.each([undefined, null, 'clear', {}, 1])('refuses %s with INVALID_INPUT', (value) => {
    expect(codeOf(() => onProcessSnapshot(value as never))).toBe('INVALID_INPUT');
  });

  it('is a no-op on both backends outside a snapshot build', () => {
    let called = false;
    nodeBackend.onSnapshot(() => {
      called = true;
    });
    nobleBackend.onSnapshot(() => {
      called = true;
    });
    expect(called).toBe(false);
  });
});
