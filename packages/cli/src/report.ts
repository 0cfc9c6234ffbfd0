// Result lines for people and pipes: aligned "Label  value" rows on a terminal, key=value lines
// (one per fact, values without newlines) in a pipe, so `grep`/`cut` work on them.
import type { Output } from './output.js';
import { printable } from './style.js';

// Our own styling: SGR sequences (colour, bold, dim) only.
const SGR = new RegExp(`${'\u001b'}\\[[0-9;]*m`, 'g');

/**
 * A value safe to print: values carry text read from the database (KEK ids in an error, row ids),
 * which a hostile row could fill with escape sequences (set the title, write the clipboard, move
 * the cursor). Control and format characters become `?`; on a terminal the SGR styling (colour,
 * bold) is kept, the only escape sequence that can do no more than change how text looks.
 */
function safe(value: string, styled: boolean): string {
  if (!styled) return printable(value);
  let out = '';
  let at = 0;
  for (const match of value.matchAll(SGR)) {
    out += printable(value.slice(at, match.index)) + match[0];
    at = match.index + match[0].length;
  }
  return out + printable(value.slice(at));
}

/** One fact: a key for pipes, a label for people, a value. */
export type Fact = readonly [key: string, label: string, value: string];

/** Prints `facts` the way `out` wants them (not for --json, which prints objects). */
export async function printFacts(out: Output, facts: readonly Fact[]): Promise<void> {
  if (out.pretty) {
    const width = Math.max(...facts.map(([, label]) => label.length));
    await out.print(
      facts
        .map(([, label, value]) => `${out.style.dim(label.padEnd(width))}  ${safe(value, true)}`)
        .join('\n'),
    );
  } else {
    await out.print(
      facts
        .map(([key, , value]) => `${key}=${safe(value.replace(/[\r\n]+/g, ' '), false)}`)
        .join('\n'),
    );
  }
}
