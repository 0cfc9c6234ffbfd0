// The shipped plain-SQL files are the rendering of the dialect's migrations with the defaults; the
// snapshot keeps them identical (regenerate with `pnpm exec vitest run packages/<store> -u`).
import { describe, expect, it } from 'vitest';
import type { DialectHarness } from './dialect-harness.js';

export function describeSqlFiles(h: DialectHarness): void {
  describe(`${h.name}: shipped SQL files`, () => {
    it('ship one up and one down file per migration', () => {
      expect(h.sqlFiles.length % (h.migrations().length * 2)).toBe(0);
      expect(h.sqlFiles.length).toBeGreaterThan(0);
    });
    for (const file of h.sqlFiles) {
      it(`${file.path.replace(/^.*\/(sql\/)/, '$1')} matches the migrations`, async () => {
        await expect(file.render()).toMatchFileSnapshot(file.path);
      });
    }
  });
}
