export { type BatchResult, hashUserDataBatch, hashUserDataStream } from './batch.js';
export { KNOWN_CALLING_CODE_COUNTRIES } from './calling-codes.js';
export { hmacForStorage, hmacHashedForStorage, isSha256Hex, sha256ForPlatform } from './hash.js';
export {
  type DroppedField,
  type HashedUserData,
  type HashUserDataOptions,
  hashUserData,
  InvalidUserDataError,
} from './hash-user-data.js';
export { normalizeCountry } from './normalize-country.js';
export { normalizeEmail, normalizeEmailForGoogle } from './normalize-email.js';
export {
  type GoogleNameOptions,
  normalizeCity,
  normalizeDateOfBirth,
  normalizeExternalId,
  normalizeGender,
  normalizeName,
  normalizeNameForGoogle,
  normalizeState,
  normalizeZip,
  type StateOptions,
  type ZipOptions,
} from './normalize-fields.js';
export { normalizePhone, type PhoneOptions } from './normalize-phone.js';
export { type InvalidReason, MAX_FIELD_LENGTH, type Normalized } from './normalized.js';
export { createPepper, InvalidPepperError, type Pepper, pepperFromEnv } from './pepper.js';
export { PII_FIELDS, type PiiField } from './pii-fields.js';
export { google } from './profiles/google.js';
export { meta } from './profiles/meta.js';
export type {
  DeviceIdRule,
  FieldContext,
  FieldRule,
  PlatformProfile,
} from './profiles/profile.js';
export { snap } from './profiles/snap.js';
export { storage } from './profiles/storage.js';
export { tiktok } from './profiles/tiktok.js';
export { type UserData, userDataSchema } from './user-data-schema.js';
