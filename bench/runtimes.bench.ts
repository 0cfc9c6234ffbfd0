// runtimes: envelope seal+open 256 B and PII e-mail hashing in workerd, Bun and Deno, each against
// its own Web Crypto, plus the noble primitives held to bench/core.bench.ts's noble floor. The
// runtimes measure themselves (runtimes/src/run-bench.ts); this file records their figures.
import { runRuntimeBench } from '../runtimes/src/run-bench.ts';
import type { BenchContext } from './harness.ts';

export default async function (b: BenchContext): Promise<void> {
  await runRuntimeBench((figure) => {
    b.report({
      name: figure.name,
      value: figure.value,
      unit: 'x',
      ...(figure.target === undefined ? {} : { target: figure.target }),
    });
    console.log(`      ${figure.detail}`);
  });
}
