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

/** Every {@link PiiField}, in a fixed order. */
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
