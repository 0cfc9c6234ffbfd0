// docs/cli.md and the package README cannot drift from the commands: every command has a section
// or example there, every `coffer …` line of their shell blocks parses against the command's real
// options, the exit-code table is EXIT_CODES, and each command's own help examples parse too.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../src/args.ts';
import { COMMANDS } from '../src/commands/index.ts';
import { EXIT_CODES } from '../src/exit-codes.ts';
import { GLOBAL_OPTIONS } from '../src/help.ts';
import { resolveCommand } from '../src/resolve-command.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const guide = readFileSync(join(repo, 'docs', 'cli.md'), 'utf8');
const readme = readFileSync(join(repo, 'packages', 'cli', 'README.md'), 'utf8');

/** Shell words of a command line: quotes removed, redirections and what follows dropped. */
function words(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | null = null;
  let inWord = false;
  for (const ch of line) {
    if (quote !== null) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(current);
  const end = out.findIndex((w) => w === '>' || w === '<' || w === '|' || w === '#');
  return end < 0 ? out : out.slice(0, end);
}

/** The `coffer …` invocations of the ```sh blocks of a Markdown text, as argv after `coffer`. */
function invocations(markdown: string): string[][] {
  const found: string[][] = [];
  for (const block of markdown.matchAll(/^```sh\n([\s\S]*?)^```/gm)) {
    for (const raw of (block[1] ?? '').split('\n')) {
      const line = raw.replace(/^.*\|\s*(?=coffer )/, '').replace(/^KEY=\$\((.*)\)$/, '$1');
      const argv = words(line);
      const at = argv.indexOf('coffer');
      if (at < 0 || !argv.slice(0, at).every((w) => /^[A-Z_]+=/.test(w))) continue;
      found.push(argv.slice(at + 1));
    }
  }
  return found;
}

function parses(argv: string[]): void {
  const match = resolveCommand(argv);
  expect(match, argv.join(' ')).toBeDefined();
  if (match === undefined || argv.includes('--help')) return;
  expect(() =>
    parseCommandArgs(
      match.rest,
      { ...match.spec.options, ...GLOBAL_OPTIONS },
      match.spec.positionals ?? [],
    ),
  ).not.toThrow();
}

describe('docs/cli.md and packages/cli/README.md', () => {
  it.each(COMMANDS.map((c) => [c.name]))(
    'coffer %s is shown with an example in docs/cli.md',
    (name) => {
      const used = invocations(guide).some((argv) => argv.join(' ').startsWith(name));
      expect(used, `no "coffer ${name}" example in docs/cli.md`).toBe(true);
    },
  );

  it('every coffer line in their shell blocks parses with the real options', () => {
    const all = [...invocations(guide), ...invocations(readme)];
    expect(all.length).toBeGreaterThan(20);
    for (const argv of all) parses(argv);
  });

  it("every command's help examples parse", () => {
    for (const command of COMMANDS) {
      for (const example of command.examples) {
        const argv = invocations(`\`\`\`sh\n${example.command}\n\`\`\`\n`);
        expect(argv, example.command).toHaveLength(1);
        parses(argv[0] ?? []);
      }
    }
  });

  it('the exit-code table is EXIT_CODES', () => {
    const table = [...guide.matchAll(/^\| (\d+) \| /gm)].map((m) => Number(m[1]));
    expect(table).toEqual(Object.values(EXIT_CODES));
  });
});
