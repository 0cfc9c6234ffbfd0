// Progress on stderr: a bar redrawn in place on a terminal (done / total, percentage, rows per
// second, ETA), a plain line every few seconds in a pipe or a log, one JSON line per update for
// scripts, or nothing. Never on stdout, which carries results.
import { performance } from 'node:perf_hooks';
import type { Args, OptionSpecs } from './args.js';
import { usageError } from './cli-error.js';
import { bytes, count, duration } from './format.js';
import type { CliOutputStream } from './io.js';

/** How progress is shown. */
export type ProgressMode = 'bar' | 'plain' | 'json' | 'none';

/** The `--progress` option of long commands. */
export const PROGRESS_OPTIONS: OptionSpecs = {
  progress: {
    type: 'string',
    value: 'auto|bar|plain|json|none',
    description:
      'Progress on stderr: auto (a bar on a terminal, else a line every 5 s), bar, plain, json (one JSON object per line), none.',
  },
};

/**
 * The mode of `--progress` (`auto` unless given): a bar when stderr is a terminal (not
 * `TERM=dumb`), else plain; none when the command's data goes to the terminal too
 * (`dataOnTerminal`).
 *
 * @throws {CliError} `USAGE` (exit 2) for another value.
 */
export function progressMode(
  args: Args,
  stderr: CliOutputStream,
  dataOnTerminal = false,
  env: Readonly<Record<string, string | undefined>> = {},
): ProgressMode {
  const value = args.string('progress') ?? 'auto';
  // Data printed to the same terminal would be torn by redraws: no automatic progress then. A dumb
  // terminal (TERM=dumb: Emacs shells, some CI consoles) shows escape sequences as text.
  if (value === 'auto') {
    if (dataOnTerminal) return 'none';
    return stderr.isTTY === true && env.TERM !== 'dumb' ? 'bar' : 'plain';
  }
  if (value === 'bar' || value === 'plain' || value === 'json' || value === 'none') return value;
  throw usageError('--progress must be auto, bar, plain, json or none.', { option: 'progress' });
}

/** Where a long job stands. */
export interface ProgressState {
  /** Work done, in the progress unit (rows or bytes). */
  readonly done: number;
  /** All the work, when known. */
  readonly total: number | undefined;
  /** Rows handled so far (for the rate). */
  readonly rows: number;
}

/** A progress display. */
export interface Progress {
  update(state: ProgressState): void;
  /** Prints a line (a warning) without breaking the bar; in `json` mode, as `{ event: "note" }`. */
  log(line: string): void;
  /** Draws the last state and ends the line. */
  finish(): void;
}

interface Sample {
  readonly at: number;
  readonly done: number;
  readonly rows: number;
}

const WINDOW_MS = 5000;
const BAR_EVERY_MS = 100;
const JSON_EVERY_MS = 100;
const PLAIN_EVERY_MS = 5000;

/** Creates a progress display for a job named `label` counting `unit`. */
export function createProgress(options: {
  label: string;
  unit: 'rows' | 'bytes';
  mode: ProgressMode;
  stream: CliOutputStream;
  env: Readonly<Record<string, string | undefined>>;
  clock?: () => number;
}): Progress {
  const { label, unit, mode, stream } = options;
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  const samples: Sample[] = [{ at: started, done: 0, rows: 0 }];
  const locale = `${options.env.LC_ALL ?? ''}${options.env.LC_CTYPE ?? ''}${options.env.LANG ?? ''}`;
  const [full, empty] = /utf-?8/i.test(locale) ? ['█', '░'] : ['#', '-'];
  let state: ProgressState = { done: 0, total: undefined, rows: 0 };
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  let finished = false;

  const rates = (now: number): { rowsPerSecond: number; donePerSecond: number } => {
    while (samples.length > 2 && now - (samples[1] as Sample).at > WINDOW_MS) samples.shift();
    const first = samples[0] as Sample;
    const seconds = (now - first.at) / 1000;
    if (seconds <= 0.05) return { rowsPerSecond: 0, donePerSecond: 0 };
    return {
      rowsPerSecond: (state.rows - first.rows) / seconds,
      donePerSecond: (state.done - first.done) / seconds,
    };
  };

  const amount = (n: number): string => (unit === 'bytes' ? bytes(n) : count(n));

  const facts = (now: number) => {
    const { rowsPerSecond, donePerSecond } = rates(now);
    const total = state.total;
    const fraction =
      total === undefined || total === 0 ? undefined : Math.min(1, state.done / total);
    const eta =
      total === undefined || donePerSecond <= 0
        ? undefined
        : Math.max(0, (total - state.done) / donePerSecond);
    return { rowsPerSecond, fraction, eta, elapsed: (now - started) / 1000 };
  };

  const text = (now: number, width: number | undefined): string => {
    const f = facts(now);
    const done =
      state.total === undefined
        ? amount(state.done)
        : `${amount(state.done)}/${amount(state.total)}`;
    const parts = [
      unit === 'rows' || state.total !== undefined
        ? `${done}${unit === 'rows' ? ' rows' : ''}`
        : done,
      f.fraction === undefined ? undefined : `${Math.floor(f.fraction * 100)}%`,
      `${count(f.rowsPerSecond)} rows/s`,
      finished
        ? `${duration(f.elapsed)} elapsed`
        : f.eta === undefined
          ? `${duration(f.elapsed)} elapsed`
          : `ETA ${duration(f.eta)}`,
    ].filter((p): p is string => p !== undefined);
    const tail = parts.join('  ');
    if (width === undefined || f.fraction === undefined) return `${label}  ${tail}`;
    const room = width - label.length - tail.length - 6;
    if (room < 10) return `${label}  ${tail}`;
    const size = Math.min(40, room);
    const filled = Math.round(f.fraction * size);
    return `${label}  ${full.repeat(filled)}${empty.repeat(size - filled)}  ${tail}`;
  };

  const draw = (force: boolean): void => {
    const now = clock();
    if (mode === 'none') return;
    const every = mode === 'bar' ? BAR_EVERY_MS : mode === 'json' ? JSON_EVERY_MS : PLAIN_EVERY_MS;
    if (!force && now - lastDraw < every) return;
    lastDraw = now;
    if (mode === 'bar') {
      // Never as wide as the terminal: a line that wraps is not erased by the next redraw.
      const columns = stream.columns !== undefined && stream.columns > 1 ? stream.columns : 80;
      const width = columns - 1;
      stream.write(`\r\u001b[2K${text(now, width).slice(0, width)}`);
      drawn = true;
    } else if (mode === 'plain') {
      stream.write(`${text(now, undefined)}\n`);
    } else {
      const f = facts(now);
      stream.write(
        `${JSON.stringify({
          event: 'progress',
          label,
          unit,
          done: state.done,
          total: state.total ?? null,
          rows: state.rows,
          rowsPerSecond: Math.round(f.rowsPerSecond),
          etaSeconds: f.eta === undefined ? null : Math.round(f.eta),
          finished,
        })}\n`,
      );
    }
  };

  return {
    update(next) {
      if (finished) return;
      state = next;
      const now = clock();
      const last = samples[samples.length - 1] as Sample;
      if (now - last.at >= 100) samples.push({ at: now, done: next.done, rows: next.rows });
      draw(lastDraw === Number.NEGATIVE_INFINITY);
    },
    log(line) {
      if (mode === 'json') {
        // stderr stays one JSON object per line.
        stream.write(`${JSON.stringify({ event: 'note', label, message: line })}\n`);
      } else if (mode === 'bar' && drawn) {
        stream.write(`\r\u001b[2K${line}\n`);
        draw(true);
      } else {
        stream.write(`${line}\n`);
      }
    },
    finish() {
      if (finished) return;
      finished = true;
      if (mode === 'none') return;
      // The rate over the whole run, not the last window: the summary of a finished job.
      samples.splice(0, samples.length, { at: started, done: 0, rows: 0 });
      draw(true);
      if (mode === 'bar') stream.write('\n');
    },
  };
}
