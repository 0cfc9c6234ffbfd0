// Several statements sent as one: the dialect's compound statement (MariaDB's `begin not atomic …
// end`, SQLite's block for coffer's statement cache) around their compiled texts, with their
// parameters in order. Compiled once per store by `prepareQuery`, like any other hot query.
import { type Compilable, CompiledQuery } from 'kysely';
import type { DialectAdapter } from './dialect-adapter.js';

/** @internal The statements as one compound statement; compiling it needs `adapter.atomicBlock`. */
export function atomicBlockQuery(
  adapter: DialectAdapter,
  statements: readonly Compilable<unknown>[],
): Compilable<unknown> {
  return {
    compile: () => {
      const block = adapter.atomicBlock;
      if (block === undefined) {
        throw new TypeError(`the ${adapter.dialect} adapter has no atomicBlock`);
      }
      const compiled = statements.map((statement) => statement.compile());
      return CompiledQuery.raw(
        block.wrap(compiled),
        compiled.flatMap((query) => [...query.parameters]),
      );
    },
  };
}
