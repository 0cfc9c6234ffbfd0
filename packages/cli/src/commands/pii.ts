// `coffer pii hash`: a CSV or NDJSON file of user data → the same rows hashed for one platform.
import { closeSync, constants, createReadStream, fstatSync, openSync } from 'node:fs';
import type { HashUserDataOptions } from '@coffer/pii';
import { usageError } from '../cli-error.js';
import { type ColumnOptions, parseMapOptions } from '../column-map.js';
import type { CommandSpec } from '../command.js';
import { type InputFormat, readInputRecords } from '../csv/input-records.js';
import { EXIT_CODES } from '../exit-codes.js';
import { count, seconds } from '../format.js';
import { writeAll } from '../io.js';
import { loadPepper, PEPPER_OPTIONS, PROFILE_NAMES, profileByName } from '../open-pii.js';
import { type PiiHashSummary, runPiiHash } from '../pii-hash-job.js';
import { createProgress, PROGRESS_OPTIONS, progressMode } from '../progress.js';
import { printable } from '../style.js';

/** The longest input row read; a longer one is skipped and reported (memory stays bounded). */
export const MAX_RECORD_BYTES: number = 1024 * 1024;

/** Bad rows printed one by one on stderr; the rest are only counted. */
const PRINTED_BAD_ROWS = 20;

const hash: CommandSpec = {
  name: 'pii hash',
  summary: 'Hash the personal data in a CSV or NDJSON file for an ad platform (or for storage)',
  usage: 'pii hash --profile <meta|tiktok|google|snap|storage> [options] <in.csv|in.ndjson|->',
  description: [
    'Reads rows from a file (or stdin with "-"), normalizes and hashes each row’s user data with @coffer/pii under the profile’s rules, and writes the rows to stdout: CSV in, CSV out (the header names the platform’s keys); NDJSON in, NDJSON out. Progress and the summary go to stderr.',
    'Columns are matched to fields by header name (email, phone, first_name, last_name, date_of_birth, gender, city, state, zip, country, external_id, ip, user_agent, device_id, and common aliases); --map overrides. Columns neither matched nor kept are left out. Empty cells are absent values.',
    `A row that cannot be read (invalid UTF-8, a wrong number of columns, a stray quote, longer than ${MAX_RECORD_BYTES / 1024 / 1024} MiB) is skipped and reported by its line number, never by its content; an invalid value is left out of its row and counted by reason. Exit 6 when any row was skipped.`,
  ],
  options: {
    profile: {
      type: 'string',
      value: PROFILE_NAMES.join('|'),
      description: 'The platform whose rules apply; storage hashes with HMAC under the pepper.',
    },
    map: {
      type: 'string',
      multiple: true,
      value: 'field=Column',
      description:
        'Read a field from this column (field= reads it from none), e.g. --map email="Contact E-mail".',
    },
    keep: {
      type: 'string',
      multiple: true,
      value: 'column',
      description:
        'Copy this column to the output as it is (order ids, timestamps: never personal data).',
    },
    format: {
      type: 'string',
      value: 'csv|ndjson',
      description: 'The input format; by default NDJSON for .ndjson and .jsonl files, else CSV.',
    },
    'default-country': {
      type: 'string',
      value: 'CC',
      description:
        'ISO 3166-1 alpha-2 country for rows without a valid one (phones, US states and ZIP codes).',
    },
    'keep-ip': {
      type: 'boolean',
      description: 'Keep the client IP where the platform takes it (dropped by default).',
    },
    'keep-device-id': {
      type: 'boolean',
      description:
        'Keep the mobile advertising id where the platform takes it (dropped by default).',
    },
    ...PEPPER_OPTIONS,
    ...PROGRESS_OPTIONS,
  },
  positionals: [{ name: 'input', description: 'The input file, or - for stdin.' }],
  examples: [
    {
      command: 'coffer pii hash --profile meta customers.csv > customers.meta.csv',
      note: 'Hash a customer list for Meta’s Conversions API',
    },
    {
      command:
        'coffer pii hash --profile tiktok --map email="Contact E-mail" --keep order_id --default-country US orders.csv > orders.tiktok.csv',
      note: 'Read e-mails from a differently named column and keep the order id',
    },
    {
      command:
        'cat events.ndjson | coffer pii hash --profile storage --format ndjson - > events.hashed.ndjson',
      note: 'Peppered hashes for your own database (COFFER_PII_PEPPER set), from stdin',
    },
  ],
  interruptible: true,
  dataOnStdout: true,
  async run({ args, io, out }) {
    const profile = profileByName(args.requireString('profile'));
    const input = args.positionals[0] as string;
    const formatOption = args.string('format');
    if (formatOption !== undefined && formatOption !== 'csv' && formatOption !== 'ndjson') {
      throw usageError('--format must be csv or ndjson.', { option: 'format' });
    }
    const format: InputFormat =
      (formatOption as InputFormat | undefined) ??
      (/\.(nd)?jsonl?$/i.test(input) && input !== '-' ? 'ndjson' : 'csv');
    const columns: ColumnOptions = {
      overrides: parseMapOptions(args.rawStrings('map')),
      keep: args.rawStrings('keep'),
    };
    const country = args.string('default-country');
    const hashOptions: HashUserDataOptions = {
      profile,
      keepIp: args.boolean('keep-ip'),
      keepDeviceId: args.boolean('keep-device-id'),
      ...(country === undefined ? {} : { defaultCountry: country }),
      ...(profile.name === 'storage' ? { pepper: loadPepper(args, io.env) } : {}),
    };
    if (profile.name !== 'storage' && args.has('pepper-file')) {
      throw usageError('--pepper-file applies to --profile storage only.', {
        option: 'pepper-file',
      });
    }

    let source: AsyncIterable<unknown>;
    let total: number | undefined;
    if (input === '-') {
      if (io.stdin.isTTY === true) {
        throw usageError('Input "-" is stdin, which is a terminal: pipe a file in, or name one.');
      }
      source = io.stdin;
    } else {
      // Opened here, so a missing or unreadable file is a usage error before any output.
      let fd: number;
      try {
        fd = openSync(input, constants.O_RDONLY | constants.O_NONBLOCK);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        throw usageError(
          `The input file cannot be read (${typeof code === 'string' ? code : 'error'}).`,
        );
      }
      const stat = fstatSync(fd);
      if (!stat.isFile()) {
        closeSync(fd);
        throw usageError('The input is not a regular file; use - to read a pipe from stdin.');
      }
      total = stat.size;
      source = createReadStream(input, { fd, highWaterMark: 256 * 1024 });
    }

    const progress = createProgress({
      label: 'pii hash',
      unit: total === undefined ? 'rows' : 'bytes',
      mode: progressMode(args, io.stderr, io.stdout.isTTY === true, io.env),
      stream: io.stderr,
      env: io.env,
    });
    let bytesRead = 0;
    let printed = 0;
    const started = performance.now();
    const summary = await runPiiHash({
      records: readInputRecords(source, {
        format,
        maxRecordBytes: MAX_RECORD_BYTES,
        signal: io.signal,
        onChunk: (n) => {
          bytesRead = n;
        },
      }),
      format,
      hashOptions,
      columns,
      write: (text) => writeAll(io.stdout, text),
      onBadRow: (line, reason, detail) => {
        if (printed < PRINTED_BAD_ROWS) {
          progress.log(
            `line ${line}: ${reason}${detail === undefined ? '' : ` (${detail})`}; row skipped`,
          );
        } else if (printed === PRINTED_BAD_ROWS) {
          progress.log('more bad rows: see the summary');
        }
        printed++;
      },
      onRows: (rows) =>
        progress.update({ done: total === undefined ? rows : bytesRead, total, rows }),
      signal: io.signal,
    });
    progress.finish();
    const interrupted = io.signal.aborted;
    const elapsed = seconds(performance.now() - started);
    if (out.json) {
      await out.result({
        event: 'summary',
        ok: summary.bad.count === 0 && !interrupted,
        profile: profile.name,
        format,
        ...summary,
        interrupted,
        seconds: elapsed,
      });
    } else {
      for (const line of describe(summary, profile.name, elapsed, interrupted)) {
        out.note(printable(line));
      }
    }
    if (interrupted) return EXIT_CODES.interrupted;
    return summary.bad.count > 0 ? EXIT_CODES.incomplete : EXIT_CODES.ok;
  },
};

function describe(
  summary: PiiHashSummary,
  profile: string,
  elapsed: number,
  interrupted: boolean,
): string[] {
  const lines = [
    `pii hash (${profile}): ${count(summary.rows)} rows read, ${count(summary.written)} written, ${count(summary.bad.count)} skipped, in ${elapsed} s${interrupted ? ' — interrupted' : ''}`,
  ];
  if (summary.bad.count > 0) {
    const reasons = Object.entries(summary.bad.byReason)
      .map(([reason, n]) => `${reason} ${count(n)}`)
      .join(', ');
    const first = summary.bad.rows
      .slice(0, 10)
      .map((r) => r.line)
      .join(', ');
    lines.push(`skipped rows: ${reasons}; first at lines ${first}`);
  }
  if (summary.dropped.count > 0) {
    const byReason = Object.entries(summary.dropped.byReason).map(([reason, n]) => {
      const fields = Object.entries(summary.dropped.byField)
        .filter(([, r]) => r[reason] !== undefined)
        .map(([field, r]) => `${field} ${count(r[reason] ?? 0)}`)
        .join(', ');
      return `${reason} ${count(n)} (${fields})`;
    });
    lines.push(
      `fields left out as invalid: ${count(summary.dropped.count)} — ${byReason.join('; ')}`,
    );
  }
  const mapped = Object.entries(summary.columns.mapped)
    .map(([field, column]) => `${field} ← "${column}"`)
    .join(', ');
  lines.push(`columns: ${mapped === '' ? 'none' : mapped}`);
  if (summary.columns.kept.length > 0) lines.push(`kept as is: ${summary.columns.kept.join(', ')}`);
  if (summary.columns.ignored.length > 0) {
    lines.push(`left out: ${summary.columns.ignored.join(', ')}`);
  }
  return lines;
}

/** The `pii` command group. */
export const piiCommands: readonly CommandSpec[] = [hash];
