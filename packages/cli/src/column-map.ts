// Which input column feeds which user-data field: by header name (case, spaces, `_` and `-`
// ignored, common aliases accepted), with `--map field=Header` overrides and `--keep` for columns
// passed through unhashed. Header names are not personal data and may be printed; values never.
import { usageError } from './cli-error.js';
import { USER_DATA_FIELDS, type UserDataField } from './open-pii.js';

const ALIASES: Readonly<Record<UserDataField, readonly string[]>> = {
  email: ['email', 'emailaddress', 'mail', 'em'],
  phone: [
    'phone',
    'phonenumber',
    'mobile',
    'mobilephone',
    'mobilenumber',
    'cellphone',
    'tel',
    'telephone',
    'ph',
  ],
  firstName: ['firstname', 'fn', 'givenname', 'forename'],
  lastName: ['lastname', 'ln', 'surname', 'familyname'],
  dateOfBirth: ['dateofbirth', 'dob', 'birthdate', 'birthday', 'db'],
  gender: ['gender', 'ge', 'sex'],
  city: ['city', 'ct', 'town'],
  state: ['state', 'st', 'province', 'region'],
  zip: ['zip', 'zipcode', 'zp', 'postalcode', 'postcode'],
  country: ['country', 'countrycode'],
  externalId: ['externalid', 'userid', 'customerid'],
  ip: ['ip', 'ipaddress', 'clientip', 'clientipaddress'],
  userAgent: ['useragent', 'clientuseragent', 'ua'],
  deviceId: ['deviceid', 'madid', 'idfa', 'gaid', 'advertisingid', 'maid'],
};

/** A header or field name reduced for matching: lower case, letters and digits only. */
export function reduceName(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

const BY_ALIAS = new Map<string, UserDataField>();
for (const field of USER_DATA_FIELDS) {
  for (const alias of ALIASES[field]) BY_ALIAS.set(alias, field);
}

/** The field a name stands for (`first_name`, `First Name`, `fn` → `firstName`), if any. */
export function fieldForName(name: string): UserDataField | undefined {
  return BY_ALIAS.get(reduceName(name));
}

/** What `--map` and `--keep` asked for. */
export interface ColumnOptions {
  /** Field → header to read it from, or `null` to read it from no column. */
  readonly overrides: ReadonlyMap<UserDataField, string | null>;
  /** Columns copied to the output as they are (not personal data: order ids, timestamps). */
  readonly keep: readonly string[];
}

/**
 * Parses `--map field=Header` values (`field=` reads the field from no column).
 *
 * @throws {CliError} `USAGE` (exit 2) for a malformed value, an unknown field or a field mapped twice.
 */
export function parseMapOptions(values: readonly string[]): Map<UserDataField, string | null> {
  const overrides = new Map<UserDataField, string | null>();
  for (const value of values) {
    const eq = value.indexOf('=');
    const field =
      eq < 0
        ? undefined
        : USER_DATA_FIELDS.find((f) => reduceName(f) === reduceName(value.slice(0, eq)));
    if (field === undefined) {
      throw usageError(
        `--map takes field=Header with a field among ${USER_DATA_FIELDS.join(', ')}.`,
        { option: 'map' },
      );
    }
    if (overrides.has(field)) {
      throw usageError(`--map gives the field ${field} twice.`, { option: 'map' });
    }
    const header = value.slice(eq + 1);
    overrides.set(field, header === '' ? null : header);
  }
  return overrides;
}

/** How the columns of a CSV header are used. */
export interface ColumnPlan {
  /** Field and the index of its column. */
  readonly fields: readonly (readonly [UserDataField, number])[];
  /** Kept column names and their indexes, in `--keep` order. */
  readonly kept: readonly (readonly [string, number])[];
  /** Field → header name, for the summary. */
  readonly mapped: Readonly<Partial<Record<UserDataField, string>>>;
  /** Columns neither mapped nor kept: left out of the output. */
  readonly ignored: readonly string[];
}

/**
 * The plan for a CSV `header`.
 *
 * @throws {CliError} `USAGE` (exit 2): a `--map` or `--keep` column that is not in the header, a
 *   column named twice that is used, two columns for one field, a kept column that is a field's,
 *   or no column for any field.
 */
export function planColumns(header: readonly string[], options: ColumnOptions): ColumnPlan {
  const indexOf = (name: string, option: string): number => {
    const at: number[] = [];
    header.forEach((h, i) => {
      if (h === name) at.push(i);
    });
    if (at.length === 0) {
      throw usageError(`--${option}: the header has no column "${name}".`, { option });
    }
    if (at.length > 1) {
      throw usageError(`--${option}: the header has ${at.length} columns named "${name}".`, {
        option,
      });
    }
    return at[0] as number;
  };
  const fields = new Map<UserDataField, number>();
  for (const [field, name] of options.overrides) {
    if (name !== null) fields.set(field, indexOf(name, 'map'));
  }
  const taken = new Set(fields.values());
  header.forEach((name, index) => {
    if (taken.has(index)) return;
    const field = fieldForName(name);
    if (field === undefined || options.overrides.has(field)) return;
    const other = fields.get(field);
    if (other !== undefined) {
      throw usageError(
        `Columns "${header[other]}" and "${name}" both look like ${field}: choose one with --map ${field}=<column>.`,
        { option: 'map' },
      );
    }
    fields.set(field, index);
  });
  const used = new Set(fields.values());
  const kept = options.keep.map((name) => {
    const index = indexOf(name, 'keep');
    if (used.has(index)) {
      throw usageError(
        `--keep "${name}": that column is hashed as personal data; it cannot also be copied in clear.`,
        { option: 'keep' },
      );
    }
    return [name, index] as const;
  });
  if (fields.size === 0) {
    throw usageError(
      'No column of the header is a user-data field: name them (email, phone, first_name, …) or map them with --map field=<column>.',
      { option: 'map' },
    );
  }
  const keptIndexes = new Set(kept.map(([, i]) => i));
  const mapped: Partial<Record<UserDataField, string>> = {};
  const ordered = USER_DATA_FIELDS.filter((f) => fields.has(f)).map(
    (f) => [f, fields.get(f) as number] as const,
  );
  for (const [field, index] of ordered) mapped[field] = header[index] as string;
  return {
    fields: ordered,
    kept,
    mapped,
    ignored: header.filter((_, i) => !used.has(i) && !keptIndexes.has(i)),
  };
}

/**
 * The field each key of an NDJSON object stands for (overrides first, then aliases), or
 * `'ambiguous'` when two keys stand for one field.
 */
export function mapObjectKeys(
  keys: readonly string[],
  options: ColumnOptions,
): Map<string, UserDataField> | 'ambiguous' {
  const byHeader = new Map<string, UserDataField>();
  for (const [field, name] of options.overrides) if (name !== null) byHeader.set(name, field);
  const out = new Map<string, UserDataField>();
  const seen = new Set<UserDataField>();
  for (const key of keys) {
    if (options.keep.includes(key)) continue;
    let field = byHeader.get(key);
    if (field === undefined) {
      const guess = fieldForName(key);
      if (guess !== undefined && !options.overrides.has(guess)) field = guess;
    }
    if (field === undefined) continue;
    if (seen.has(field)) return 'ambiguous';
    seen.add(field);
    out.set(key, field);
  }
  return out;
}
