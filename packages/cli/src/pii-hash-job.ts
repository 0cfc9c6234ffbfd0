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
import { formatCsvRecord } from './csv/csv-record.js';
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
  /** Told the rows read so far, after each chunk. */
  readonly onRows: (rows: number) => void;
}

interface Pending {
  readonly line: number;
  readonly kept: readonly unknown[];
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
  const pending: Pending[] = [];
  let head = 0;
  let plan: ColumnPlan | undefined;
  let keys: string[] = [];
  const csv = job.format === 'csv';
  const seenFields = new Set<UserDataField>();

  async function* userData(): AsyncGenerator<Record<string, unknown>, void, undefined> {
    for await (const batch of job.records) {
      for (const record of batch) {
        if (csv && plan === undefined) {
          plan = headerPlan(record, job.columns);
          const fields = new Set(plan.fields.map(([f]) => f));
          keys = outputKeys(profile, fields, { keepIp, keepDeviceId });
          summary.columns = {
            mapped: { ...plan.mapped },
            kept: plan.kept.map(([name]) => name),
            ignored: [...plan.ignored],
          };
          out += `${formatCsvRecord([...summary.columns.kept, ...keys])}\n`;
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
          pending.push({ line: record.line, kept: p.kept.map(([, i]) => record.fields[i]) });
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
        pending.push({ line: record.line, kept: job.columns.keep.map((k) => object[k]) });
        yield data;
      }
      job.onRows(summary.rows);
      if (out.length >= FLUSH_AT) await flush();
    }
  }

  for await (const result of hashStream(userData(), job.hashOptions)) {
    const row = pending[head++] as Pending;
    if (head > 4096) {
      pending.splice(0, head);
      head = 0;
    }
    if (!result.ok) {
      bad(
        row.line,
        result.error.code === 'INVALID_USER_DATA' ? 'invalid_user_data' : 'hash_failed',
      );
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
    if (csv) {
      const fields = row.kept.map((v) => (v === undefined ? '' : String(v)));
      for (const key of keys) fields.push(result.userData[key] ?? '');
      out += `${formatCsvRecord(fields)}\n`;
    } else {
      const line: Record<string, unknown> = {};
      job.columns.keep.forEach((k, i) => {
        if (row.kept[i] !== undefined) line[k] = row.kept[i];
      });
      Object.assign(line, result.userData);
      out += `${JSON.stringify(line)}\n`;
    }
  }
  if (csv && plan === undefined) {
    throw usageError('The input has no header row: the first line must name the columns.');
  }
  await flush();
  return summary;
}

function headerPlan(record: InputRecord, columns: ColumnOptions): ColumnPlan {
  if (record.kind !== 'csv') {
    const why = record.kind === 'bad' ? ` (${record.reason})` : '';
    throw usageError(`The header row (line ${record.line}) cannot be read${why}.`);
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
