/** The personal-data fields coffer normalizes and hashes. */
export type PiiField =
  | 'email'
  | 'phone'
  | 'firstName'
  | 'lastName'
  | 'dateOfBirth'
  | 'gender'
  | 'city'
  | 'state'
  | 'zip'
  | 'country'
  | 'externalId';

/**
 * Every {@link PiiField}, in a fixed order (the order `hashUserData` reports dropped fields in).
 *
 * @example
 * ```ts
 * import { meta, PII_FIELDS } from '@coffer/pii';
 *
 * PII_FIELDS.filter((field) => meta.fields[field]?.hashed); // every field: Meta hashes them all
 * ```
 */
export const PII_FIELDS: readonly PiiField[] = [
  'email',
  'phone',
  'firstName',
  'lastName',
  'dateOfBirth',
  'gender',
  'city',
  'state',
  'zip',
  'country',
  'externalId',
];
