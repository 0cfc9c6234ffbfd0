// The published store conformance suites are runner-agnostic (`describe`/`it`); this runner turns
// their cases into checks, so a runtime's harness runs them like any other group.
import type { Check, CheckGroup } from '../checks/check.ts';

type Register = (runner: {
  describe: (name: string, fn: () => void) => unknown;
  it: (name: string, fn: () => Promise<void>) => unknown;
}) => void;

/** Collects the cases `register` declares into one group named `name`. */
export function conformanceGroup(name: string, register: Register): CheckGroup {
  const checks: Check[] = [];
  const path: string[] = [];
  register({
    describe(title, fn) {
      path.push(title);
      try {
        fn();
      } finally {
        path.pop();
      }
    },
    it(title, fn) {
      checks.push({ name: [...path, title].join(' › '), run: fn });
    },
  });
  return { name, checks };
}
