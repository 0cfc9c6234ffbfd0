// Argument parsing on node:util parseArgs (see docs/decisions.md): parseArgs splits the tokens,
// this file checks them against the command's options. Messages name options, never values: a
// secret pasted into the wrong place must not be echoed to the terminal or a CI log.
import { parseArgs } from 'node:util';
import { usageError } from './cli-error.js';

/** One option of a command. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** May be given more than once; the values are collected in order. */
  readonly multiple?: boolean;
  /** The value's placeholder in help, e.g. `url` for `--db <url>`. */
  readonly value?: string;
  readonly description: string;
}

/** A command's options by long name (without `--`). */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** One positional argument of a command, for help and the count check. */
export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
}

// Lower-case words joined by dashes, as option names are; a base64 or hex secret is not shown.
const SAFE_NAME = /^-{1,2}[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** How an option the user typed is named in a message: itself when it looks like an option name. */
function shown(raw: string): string {
  return SAFE_NAME.test(raw) && raw.length <= 26 ? `"${raw}"` : '(not shown: it may be a secret)';
}

/** The parsed arguments of one command, read through typed accessors. */
export class Args {
  readonly #values: ReadonlyMap<string, string | boolean | string[]>;
  readonly #positionals: readonly string[];
  readonly #specs: OptionSpecs;

  constructor(
    values: ReadonlyMap<string, string | boolean | string[]>,
    positionals: readonly string[],
    specs: OptionSpecs,
  ) {
    this.#values = values;
    this.#positionals = positionals;
    this.#specs = specs;
  }

  #spec(name: string, type: OptionSpec['type']): OptionSpec {
    const spec = this.#specs[name];
    if (spec === undefined || spec.type !== type) {
      throw new Error(`internal: the command reads option ${name} it does not declare as ${type}`);
    }
    return spec;
  }

  /** A string option's value, or `undefined` when not given. */
  string(name: string): string | undefined {
    this.#spec(name, 'string');
    const value = this.#values.get(name);
    return typeof value === 'string' ? value : undefined;
  }

  /** A string option's value; a usage error when not given. */
  requireString(name: string, why = ''): string {
    const value = this.string(name);
    if (value === undefined) {
      const spec = this.#spec(name, 'string');
      throw usageError(`--${name} <${spec.value ?? 'value'}> is required${why}.`, {
        option: name,
      });
    }
    return value;
  }

  /** Every value of a repeatable string option, in order (comma-separated values are split). */
  strings(name: string): string[] {
    this.#spec(name, 'string');
    const value = this.#values.get(name);
    if (value === undefined) return [];
    return (Array.isArray(value) ? value : [String(value)])
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '');
  }

  /** Every value of a repeatable string option, as given (no splitting). */
  rawStrings(name: string): string[] {
    this.#spec(name, 'string');
    const value = this.#values.get(name);
    if (value === undefined) return [];
    return Array.isArray(value) ? [...value] : [String(value)];
  }

  /** Whether a boolean option was given. */
  boolean(name: string): boolean {
    this.#spec(name, 'boolean');
    return this.#values.get(name) === true;
  }

  /** Whether the command declares the option. */
  declares(name: string): boolean {
    return Object.hasOwn(this.#specs, name);
  }

  /** Whether an option of any type was given. */
  has(name: string): boolean {
    return this.#values.has(name);
  }

  /** The positional arguments. */
  get positionals(): readonly string[] {
    return this.#positionals;
  }
}

/**
 * Parses `argv` against `specs`: unknown options, missing values, repeated single options, values
 * given to flags and extra positionals are usage errors that name the option (or the argument's
 * position), never a value.
 *
 * @throws {CliError} `USAGE` (exit 2).
 */
export function parseCommandArgs(
  argv: readonly string[],
  specs: OptionSpecs,
  positionals: readonly PositionalSpec[],
): Args {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> =
    {};
  for (const [name, spec] of Object.entries(specs)) {
    config[name] = {
      type: spec.type,
      ...(spec.short === undefined ? {} : { short: spec.short }),
      ...(spec.multiple === true ? { multiple: true } : {}),
    };
  }
  const { tokens } = parseArgs({
    args: [...argv],
    options: config,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values = new Map<string, string | boolean | string[]>();
  const given: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      given.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(specs, token.name) ? specs[token.name] : undefined;
    if (spec === undefined) {
      throw usageError(`Unknown option ${shown(token.rawName)}; see --help for the options.`);
    }
    const label = `--${token.name}`;
    if (spec.type === 'boolean') {
      if (token.value !== undefined) {
        throw usageError(`${label} takes no value.`, { option: token.name });
      }
      values.set(token.name, true);
      continue;
    }
    // `--db --json`: parseArgs takes the next option as the value; a value that starts with a
    // dash must be given inline (`--reason=-x`).
    if (
      token.value === undefined ||
      (token.inlineValue === false && token.value.startsWith('-') && token.value !== '-')
    ) {
      throw usageError(`${label} needs a value: ${label} <${spec.value ?? 'value'}>.`, {
        option: token.name,
      });
    }
    const before = values.get(token.name);
    if (spec.multiple === true) {
      values.set(token.name, [...(Array.isArray(before) ? before : []), token.value]);
    } else if (before !== undefined) {
      throw usageError(`${label} is given more than once.`, { option: token.name });
    } else {
      values.set(token.name, token.value);
    }
  }
  const max = positionals.length;
  if (given.length > max) {
    throw usageError(
      max === 0
        ? `This command takes no arguments besides options (argument ${max + 1} is extra).`
        : `Too many arguments: argument ${max + 1} is extra; see --help.`,
    );
  }
  const required = positionals.filter((p) => p.optional !== true).length;
  if (given.length < required) {
    const missing = positionals[given.length];
    throw usageError(`Missing argument <${missing?.name ?? 'argument'}>; see --help.`);
  }
  return new Args(values, given, specs);
}
