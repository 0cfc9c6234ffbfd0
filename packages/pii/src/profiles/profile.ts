import type { Normalized } from '../normalized.js';
import type { PiiField } from '../pii-fields.js';

/** What a normalizer may know beyond the value: the record's country (or the default). */
export interface FieldContext {
  /** Lower-case ISO 3166-1 alpha-2 country of the record, if known. */
  readonly country: string | undefined;
}

/** How one platform takes one field. */
export interface FieldRule {
  /** The platform's parameter name, e.g. `em` (Meta) or `email` (TikTok). */
  readonly key: string;
  /** True: sent as SHA-256 hex of the normalized value. False: sent normalized but in clear. */
  readonly hashed: boolean;
  /**
   * The platform's normalization: pure, total and idempotent given the same context (normalizing
   * its own output again changes nothing).
   */
  readonly normalize: (value: unknown, context: FieldContext) => Normalized;
  /**
   * The exact string the platform hashes (or takes in clear), from the normalized value; the
   * normalized value itself when absent. Meta and Snap take a phone as E.164 digits without the
   * `+`: their `normalize` returns E.164 and `format` drops the `+`, because digits without a `+`
   * could be read again as a national number and normalizing would no longer be idempotent.
   */
  readonly format?: (normalized: string) => string;
  /** A short statement of the rule, for the docs table. */
  readonly rule: string;
}

/**
 * Marks the profile whose hashes are keyed (HMAC under a pepper, for storage) rather than plain
 * SHA-256. A symbol this package does not export: a spread copy of `storage` keeps it (and still
 * needs a pepper), and no profile can acquire it by renaming itself.
 */
export const KEYED: unique symbol = Symbol('coffer.pii.keyed');

/** How a platform takes a mobile advertising id (IDFA/GAID), when `keepDeviceId` is set. */
export interface DeviceIdRule {
  /** The platform's parameter name, e.g. `madid`. */
  readonly key: string;
  /** True: sent as SHA-256 hex; false: sent in clear. */
  readonly hashed: boolean;
  /** True: lower-cased first (Snap: "Normalize mobile advertiser id by using all lowercase"). */
  readonly lowerCase: boolean;
}

/**
 * One ad platform's rules for user data: for each field, its parameter name, whether it is hashed,
 * and its normalization; plus where the raw IP, user agent and device id go when kept. Read it as
 * a table: each profile's TSDoc prints it, and `docs/pii-at-ingest.md` explains every rule.
 *
 * The package's profiles are frozen. A custom one (start from a spread of a built-in one) is
 * checked by `hashUserData` on every call: every property below must be present (`null` where a
 * platform takes none), keys must be parameter names (letters, digits, `_`) and distinct, fields
 * must be PII fields, and a copy of `storage` must hash every field; otherwise `INVALID_INPUT`
 * names the bad part. Its functions' results are checked as they come.
 */
export interface PlatformProfile {
  /** A name for logs and docs (`meta`, `tiktok`, …); it decides nothing. */
  readonly name: string;
  /** The fields the platform takes, by coffer's field name. Fields not listed are left out. */
  readonly fields: Readonly<Partial<Record<PiiField, FieldRule>>>;
  /** Parameter for the client IP (never hashed), or null when the platform takes none here. */
  readonly ipKey: string | null;
  /** Parameter for the user agent (never hashed), or null. */
  readonly userAgentKey: string | null;
  /** Parameter and treatment for a mobile advertising id (IDFA/GAID), or null. */
  readonly deviceId: DeviceIdRule | null;
  /** The platform documentation the rules come from. */
  readonly sources: readonly string[];
  /** Present (true) on the `storage` profile only: see {@link KEYED}. */
  readonly [KEYED]?: true;
}
