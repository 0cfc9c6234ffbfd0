// Colour and emphasis for terminals only: never in a pipe, never with NO_COLOR set
// (https://no-color.org), never in --json output.

/** Text styles; each is the identity when colour is off. */
export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const wrap =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

const plain = (text: string): string => text;

/** Styles for a stream: coloured when it is a terminal and `NO_COLOR` is unset or empty. */
export function styleFor(
  stream: { readonly isTTY?: boolean | undefined },
  env: Readonly<Record<string, string | undefined>>,
): Style {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const enabled = stream.isTTY === true && !noColor && env.TERM !== 'dumb';
  if (!enabled) {
    return {
      enabled,
      bold: plain,
      dim: plain,
      red: plain,
      green: plain,
      yellow: plain,
      cyan: plain,
    };
  }
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

/**
 * `text` with control and format characters (escape sequences, bidi overrides, line separators)
 * replaced by `?`, for messages that quote names from input files or the command line: a hostile
 * header can neither drive the terminal nor make a line read differently than it is.
 */
export function printable(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu, (ch) => (ch === '\n' ? '\n' : '?'));
}
