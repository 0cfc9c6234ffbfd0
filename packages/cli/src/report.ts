// Result lines for people and pipes: aligned "Label  value" rows on a terminal, key=value lines
// (one per fact, values without newlines) in a pipe, so `grep`/`cut` work on them.
import type { Output } from './output.js';

/** One fact: a key for pipes, a label for people, a value. */
export type Fact = readonly [key: string, label: string, value: string];

/** Prints `facts` the way `out` wants them (not for --json, which prints objects). */
export async function printFacts(out: Output, facts: readonly Fact[]): Promise<void> {
  if (out.pretty) {
    const width = Math.max(...facts.map(([, label]) => label.length));
    await out.print(
      facts.map(([, label, value]) => `${out.style.dim(label.padEnd(width))}  ${value}`).join('\n'),
    );
  } else {
    await out.print(
      facts.map(([key, , value]) => `${key}=${value.replace(/[\r\n]+/g, ' ')}`).join('\n'),
    );
  }
}
