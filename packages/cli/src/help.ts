// Help texts, built from the command specs so they cannot drift from what the parser accepts.
import type { OptionSpecs } from './args.js';
import type { CommandSpec } from './command.js';
import { EXIT_CODES } from './exit-codes.js';

const WIDTH = 100;

/** Options every command takes. */
export const GLOBAL_OPTIONS: OptionSpecs = {
  json: {
    type: 'boolean',
    description: 'Print the result (or the error) as one line of JSON, for scripts.',
  },
  help: { type: 'boolean', short: 'h', description: 'Show the help of the command and exit.' },
};

const EXIT_MEANINGS: Readonly<Record<keyof typeof EXIT_CODES, string>> = {
  ok: 'done',
  internal: 'unexpected error (a bug)',
  usage: 'bad arguments',
  config: 'master keys, pepper or secret file missing, malformed or readable by others',
  database: 'database unreachable, not found, or without coffer tables (run coffer migrate)',
  refused: 'refused by the target’s state (no such key, key revoked, file exists)',
  incomplete: 'ran, but not clean (keys do not open the data, failed rows, bad input rows)',
  interrupted: 'stopped by Ctrl-C or SIGTERM (rewrap: run again to resume)',
};

const ENVIRONMENT: readonly (readonly [string, string])[] = [
  ['COFFER_MASTER_KEYS', 'the keyring ("*2:<key>,1:<key>"), unless --master-keys-file is given'],
  ['COFFER_DB_URL', 'the database, unless --db is given (keeps a password out of argv)'],
  ['COFFER_PII_PEPPER', 'the pepper for pii hash --profile storage, unless --pepper-file'],
  ['PGPASSWORD', 'the PostgreSQL password (or ~/.pgpass); never put it in --db'],
  ['NO_COLOR', 'no colour on terminals'],
  ['TERM', 'dumb: no colour and no redrawn progress bar (a plain line every 5 s)'],
];

function wrap(text: string, indent: number, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (word === '') continue;
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function table(rows: readonly (readonly [string, string])[], indent = 2): string[] {
  const left = Math.min(30, Math.max(...rows.map(([l]) => l.length)));
  const out: string[] = [];
  for (const [label, text] of rows) {
    const pad = ' '.repeat(indent);
    const body = wrap(text, indent + left + 2);
    if (label.length > left) {
      out.push(`${pad}${label}`);
      for (const l of body) out.push(`${pad}${' '.repeat(left + 2)}${l}`);
    } else {
      out.push(`${pad}${label.padEnd(left + 2)}${body[0] ?? ''}`);
      for (const l of body.slice(1)) out.push(`${pad}${' '.repeat(left + 2)}${l}`);
    }
  }
  return out;
}

function optionRows(options: OptionSpecs): [string, string][] {
  return Object.entries(options).map(([name, spec]) => {
    const long = `--${name}${spec.type === 'string' ? ` <${spec.value ?? 'value'}>` : ''}`;
    const label = spec.short === undefined ? long : `-${spec.short}, ${long}`;
    return [label, `${spec.description}${spec.multiple === true ? ' Repeatable.' : ''}`];
  });
}

/** `coffer --help`: every command, the global options, the environment and the exit codes. */
export function globalHelp(commands: readonly CommandSpec[], version: string): string {
  const lines = [
    `coffer ${version} — the operator's command for coffer: master keys, rewrap, API keys, PII files.`,
    '',
    'Usage: coffer <command> [options]',
    '',
    'Commands:',
    ...table(commands.map((c) => [c.name, c.summary])),
    '',
    'Options of every command:',
    ...table([...optionRows(GLOBAL_OPTIONS), ['--version', 'Print the version and exit.']]),
    '',
    'Environment:',
    ...table(ENVIRONMENT),
    '',
    'Exit codes:',
    ...table(
      (Object.keys(EXIT_CODES) as (keyof typeof EXIT_CODES)[]).map((k) => [
        String(EXIT_CODES[k]),
        `${k}: ${EXIT_MEANINGS[k]}`,
      ]),
    ),
    '',
    'Run "coffer <command> --help" for its options and examples. Secrets are never taken from',
    'the command line: master keys come from COFFER_MASTER_KEYS or a file, passwords from the',
    'environment.',
  ];
  return `${lines.join('\n')}\n`;
}

/** `coffer <group> --help`: the commands of one group. */
export function groupHelp(group: string, commands: readonly CommandSpec[]): string {
  const lines = [
    `Usage: coffer ${group} <command> [options]`,
    '',
    'Commands:',
    ...table(commands.map((c) => [c.name, c.summary])),
    '',
    `Run "coffer ${group} <command> --help" for its options and examples.`,
  ];
  return `${lines.join('\n')}\n`;
}

/** `coffer <command> --help`: usage, description, options, examples. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`coffer ${spec.name} — ${spec.summary}`, '', `Usage: coffer ${spec.usage}`];
  for (const paragraph of spec.description ?? []) {
    lines.push('', ...wrap(paragraph, 0));
  }
  if (spec.positionals !== undefined && spec.positionals.length > 0) {
    lines.push(
      '',
      'Arguments:',
      ...table(spec.positionals.map((p) => [`<${p.name}>`, p.description])),
    );
  }
  lines.push('', 'Options:', ...table(optionRows({ ...spec.options, ...GLOBAL_OPTIONS })));
  lines.push('', 'Examples:');
  for (const example of spec.examples) {
    lines.push(`  # ${example.note}`, `  ${example.command}`, '');
  }
  lines.push('Exit codes: see "coffer --help".');
  return `${lines.join('\n')}\n`;
}
