// The work of `coffer pii hash`: input rows → user-data records → @coffer/pii's stream hasher →
// output rows, in order, with counts. Bad rows and dropped fields are counted and reported by line
// number and reason; no input value reaches a message.
import type { HashUserDataOptions, PlatformProfile } from '@coffer/pii';
import { usageError } from './cli-error.js';
import {
  type ColumnOptions,
  type ColumnPlan,
  fieldForName,
  mapObjectKeys,
  planColumns,
} from './column-map.js';
import { formatCsvField, formatCsvRecord } from './csv/csv-record.js';
import type { BadRowReason, InputFormat, InputRecord } from './csv/input-records.js';
import { hashStream, outputKeys, USER_DATA_FIELDS, type UserDataField } from './open-pii.js';

/** At most this many bad rows are listed by line (all are counted). */
export const MAX_LISTED_BAD_ROWS = 1000;

/** What a `pii hash` run did. */
export interface PiiHashSummary {
  /** Data rows read (the header and blank lines not counted). */
  rows: number;
  /** Rows written to the output. */
  written: number;
  bad: {
    count: number;
    /** The first {@link MAX_LISTED_BAD_ROWS} bad rows. */
    rows: { line: number; reason: BadRowReason }[];
    byReason: Partial<Record<BadRowReason, number>>;
  };
  dropped: {
    /** Fields left out of their row because their value was invalid. */
    count: number;
    byReason: Record<string, number>;
    byField: Record<string, Record<string, number>>;
  };
  columns: {
    mapped: Partial<Record<UserDataField, string>>;
    kept: string[];
    ignored: string[];
  };
}

/** The inputs of {@link runPiiHash}. */
export interface PiiHashJob {
  readonly records: AsyncIterable<InputRecord[]>;
  readonly format: InputFormat;
  readonly hashOptions: HashUserDataOptions;
  readonly columns: ColumnOptions;
  /** Appends output text; resolves when it may be called again (back-pressure). */
  readonly write: (text: string) => Promise<void>;
  /** Told about each bad row as it is found. */
  readonly onBadRow: (line: number, reason: BadRowReason, detail: string | undefined) => void;
  /** Told the rows read so far, after each batch. */
  readonly onRows: (rows: number) => void;
  /** The stop request (Ctrl-C): input that ends because of it is not judged (no header yet). */
  readonly signal?: AbortSignal;
}

const FLUSH_AT = 64 * 1024;

/**
 * Runs the job to the end of `records`.
 *
 * @throws {CliError} `USAGE` (exit 2) for a header the options cannot use.
 * @throws {InvalidInputError} `INVALID_INPUT` for hash options @coffer/pii refuses (exit 2).
 */
export async function runPiiHash(job: PiiHashJob): Promise<PiiHashSummary> {
  const { profile, keepIp = false, keepDeviceId = false } = job.hashOptions;
  const summary: PiiHashSummary = {
    rows: 0,
    written: 0,
    bad: { count: 0, rows: [], byReason: {} },
    dropped: { count: 0, byReason: {}, byField: {} },
    columns: { mapped: {}, kept: [...job.columns.keep], ignored: [] },
  };
  const bad = (line: number, reason: BadRowReason, detail?: string): void => {
    summary.bad.count++;
    summary.bad.byReason[reason] = (summary.bad.byReason[reason] ?? 0) + 1;
    if (summary.bad.rows.length < MAX_LISTED_BAD_ROWS) summary.bad.rows.push({ line, reason });
    job.onBadRow(line, reason, detail);
  };
  checkKept(job.columns, profile, { keepIp, keepDeviceId });

  let out = '';
  const flush = async (): Promise<void> => {
    if (out === '') return;
    const text = out;
    out = '';
    await job.write(text);
  };
  // Rows handed to the hasher and not answered yet, in order: line numbers and kept values.
  const lines: number[] = [];
  const keptValues: (readonly unknown[])[] = [];
  const keeping = job.columns.keep.length > 0;
  let head = 0;
  let plan: ColumnPlan | undefined;
  let keys: string[] = [];
  /** Per output key: whether its value is in clear (may need CSV quoting); hashes never do. */
  let clear: boolean[] = [];
  const csv = job.format === 'csv';
  const seenFields = new Set<UserDataField>();

  const startCsv = (record: InputRecord): void => {
    const p = headerPlan(record, job.columns);
    plan = p;
    keys = outputKeys(profile, new Set(p.fields.map(([f]) => f)), { keepIp, keepDeviceId });
    const hashed = hashedKeys(profile);
    clear = keys.map((key) => !hashed.has(key));
    summary.columns = {
      mapped: { ...p.mapped },
      kept: p.kept.map(([name]) => name),
      ignored: [...p.ignored],
    };
    out += `${formatCsvRecord([...summary.columns.kept, ...keys])}\n`;
  };

  /** The user data of each good row, in order; bad rows are reported and skipped here. */
  async function* userData(): AsyncGenerator<Record<string, unknown>, void, undefined> {
    for await (const batch of job.records) {
      for (const record of batch) {
        if (csv && plan === undefined) {
          startCsv(record);
          continue;
        }
        summary.rows++;
        if (record.kind === 'bad') {
          bad(record.line, record.reason);
          continue;
        }
        if (record.kind === 'csv') {
          const p = plan as ColumnPlan;
          const expected = p.fields.length + p.kept.length + p.ignored.length;
          if (record.fields.length !== expected) {
            bad(
              record.line,
              'wrong_column_count',
              `${record.fields.length} fields, expected ${expected}`,
            );
            continue;
          }
          const data: Record<string, string> = {};
          for (const [field, index] of p.fields) {
            const value = record.fields[index] as string;
            if (value !== '') data[field] = value;
          }
          lines.push(record.line);
          if (keeping) keptValues.push(p.kept.map(([, i]) => record.fields[i]));
          yield data;
          continue;
        }
        const object = record.object;
        const mapping = mapObjectKeys(Object.keys(object), job.columns);
        if (mapping === 'ambiguous') {
          bad(record.line, 'ambiguous_fields', 'two keys stand for one field');
          continue;
        }
        const data: Record<string, unknown> = {};
        for (const [key, field] of mapping) {
          const value = object[key];
          if (value === '' || value === null || value === undefined) continue;
          data[field] = value;
          if (!seenFields.has(field)) {
            seenFields.add(field);
            summary.columns.mapped[field] = key;
          }
        }
        lines.push(record.line);
        // Own keys only: `--keep constructor` must not copy Object.prototype's.
        if (keeping) {
          keptValues.push(
            job.columns.keep.map((k) => (Object.hasOwn(object, k) ? object[k] : undefined)),
          );
        }
        yield data;
      }
      job.onRows(summary.rows);
    }
  }

  for await (const result of hashStream(userData(), job.hashOptions)) {
    const line = lines[head] as number;
    const kept = keeping ? (keptValues[head] as readonly unknown[]) : [];
    head++;
    if (head >= 4096) {
      lines.splice(0, head);
      if (keeping) keptValues.splice(0, head);
      head = 0;
    }
    if (!result.ok) {
      bad(line, result.error.code === 'INVALID_USER_DATA' ? 'invalid_user_data' : 'hash_failed');
      continue;
    }
    for (const { field, reason } of result.dropped) {
      summary.dropped.count++;
      summary.dropped.byReason[reason] = (summary.dropped.byReason[reason] ?? 0) + 1;
      const byField = summary.dropped.byField[field] ?? {};
      byField[reason] = (byField[reason] ?? 0) + 1;
      summary.dropped.byField[field] = byField;
    }
    summary.written++;
    const hashed = result.userData;
    if (csv) {
      let text = '';
      for (let i = 0; i < kept.length; i++) {
        const value = kept[i];
        text += `${i === 0 ? '' : ','}${formatCsvField(value === undefined ? '' : String(value))}`;
      }
      for (let i = 0; i < keys.length; i++) {
        const value = hashed[keys[i] as string] ?? '';
        const separator = i === 0 && kept.length === 0 ? '' : ',';
        text += `${separator}${clear[i] === true ? formatCsvField(value) : value}`;
      }
      // A row of one empty column would read back as a blank line.
      out += text === '' && kept.length + keys.length === 1 ? '""\n' : `${text}\n`;
    } else {
      // No prototype: a kept `__proto__` key is a key like any other, not the row's prototype.
      const row = Object.create(null) as Record<string, unknown>;
      job.columns.keep.forEach((k, i) => {
        if (kept[i] !== undefined) row[k] = kept[i];
      });
      Object.assign(row, hashed);
      out += `${JSON.stringify(row)}\n`;
    }
    if (out.length >= FLUSH_AT) await flush();
  }
  if (csv && plan === undefined && job.signal?.aborted !== true) {
    throw usageError('The input has no header row: the first line must name the columns.');
  }
  await flush();
  return summary;
}

const HASHED_KEYS = new WeakMap<PlatformProfile, ReadonlySet<string>>();

/** The output keys whose values are hashes (hex, or `version:hex` for storage): never quoted. */
function hashedKeys(profile: PlatformProfile): ReadonlySet<string> {
  const known = HASHED_KEYS.get(profile);
  if (known !== undefined) return known;
  const keys = new Set<string>();
  for (const rule of Object.values(profile.fields)) if (rule?.hashed === true) keys.add(rule.key);
  if (profile.deviceId?.hashed === true) keys.add(profile.deviceId.key);
  HASHED_KEYS.set(profile, keys);
  return keys;
}

function headerPlan(record: InputRecord, columns: ColumnOptions): ColumnPlan {
  if (record.kind !== 'csv') {
    const why = record.kind === 'bad' ? ` (${record.reason})` : '';
    throw usageError(`The header row (line ${record.line}) cannot be read${why}.`);
  }
  // Lines ended by CR alone (classic Mac) read as one record: the "header" would hold every row,
  // and its names (the data) would be printed in the summary. Refused, without a name.
  if (record.fields.some((name) => name.includes('\r'))) {
    throw usageError(
      "The header row holds a carriage return: the file's lines seem to end with CR alone. Convert them to LF or CRLF (e.g. tr '\\r' '\\n' < in.csv > fixed.csv).",
    );
  }
  return planColumns(record.fields, columns);
}

/** A kept column must not be a personal-data field, nor collide with an output key. */
function checkKept(
  columns: ColumnOptions,
  profile: PlatformProfile,
  options: { keepIp: boolean; keepDeviceId: boolean },
): void {
  const keys = new Set(outputKeys(profile, new Set(USER_DATA_FIELDS), options));
  const overridden = new Set(
    [...columns.overrides.values()].filter((v): v is string => v !== null),
  );
  for (const name of columns.keep) {
    // A column whose name says personal data stays out, even when --map reads the field elsewhere.
    if (fieldForName(name) !== undefined || overridden.has(name)) {
      throw usageError(
        `--keep "${name}": that column is hashed as personal data; it cannot also be copied in clear.`,
        { option: 'keep' },
      );
    }
    if (keys.has(name)) {
      throw usageError(`--keep "${name}": the output already has a column of that name.`, {
        option: 'keep',
      });
    }
  }
}
