// Which command an argv names: the longest command name its leading words spell.
import type { CommandSpec } from './command.js';
import { COMMANDS } from './commands/index.js';

/** The command `argv` names and the arguments after its name, or `undefined`. */
export function resolveCommand(
  argv: readonly string[],
): { spec: CommandSpec; rest: readonly string[] } | undefined {
  let best: CommandSpec | undefined;
  let bestWords = 0;
  for (const spec of COMMANDS) {
    const words = spec.name.split(' ');
    if (words.length > bestWords && words.every((w, i) => argv[i] === w)) {
      best = spec;
      bestWords = words.length;
    }
  }
  return best === undefined ? undefined : { spec: best, rest: argv.slice(bestWords) };
}

/** The commands of the group `word` (e.g. `api-keys`), empty when there is no such group. */
export function groupCommands(word: string | undefined): readonly CommandSpec[] {
  if (word === undefined) return [];
  return COMMANDS.filter((c) => c.name.startsWith(`${word} `));
}
