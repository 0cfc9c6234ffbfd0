import type { StoredStatus } from './_stored-key.js';
import type { ValidationResult } from './provider-definition.js';

/**
 * One stored key as a dashboard shows it. Never the key.
 *
 * @example
 * ```ts
 * import type { ProviderKeyInfo } from '@coffer/provider-keys';
 *
 * const line = (k: ProviderKeyInfo) =>
 *   `${k.provider} ${k.displayPrefix} ${k.status}${k.invalid ? ` (${k.invalid.reason})` : ''}`;
 * ```
 */
export interface ProviderKeyInfo {
  /** The provider id. */
  readonly provider: string;
  /** The provider's display name, or `null` when it is no longer registered. */
  readonly displayName: string | null;
  /** The vault id of the key (stable across `set`). */
  readonly id: string;
  /** The key's version: +1 per `set` after the first. */
  readonly version: number;
  /** `active` (used), `disabled` (kept, not used), `invalid` (refused by the provider; not used). */
  readonly status: StoredStatus;
  /** Why and when the key was marked invalid, while `status` is `invalid`. */
  readonly invalid: { readonly reason: string; readonly at: Date } | null;
  /** What may be shown of the key, e.g. `sk-proj-…x7Qa`. */
  readonly displayPrefix: string;
  /** The last `test` of this version of the key, or `null`. */
  readonly lastValidated: {
    readonly at: Date;
    readonly status: ValidationResult['status'];
    readonly reason: string | null;
  } | null;
  /** When `resolve` last returned it (written at most once per `lastUsedIntervalMs`), or `null`. */
  readonly lastUsedAt: Date | null;
  /** When it was first set. */
  readonly createdAt: Date;
  /** When the key itself was last set. */
  readonly updatedAt: Date;
  /** When it was deleted, or `null`. */
  readonly deletedAt: Date | null;
  /** Until when `restore` can bring it back (then the vault's `purgeExpired` destroys it), or `null`. */
  readonly restorableUntil: Date | null;
}

/**
 * The outcome of {@link ScopedProviderKeys.test}: the validator's result, whether it was recorded
 * (not when the key was replaced or deleted while it ran), and the key as it is now.
 *
 * @example
 * ```ts
 * import type { ProviderKeyTestResult } from '@coffer/provider-keys';
 *
 * const ok = (t: ProviderKeyTestResult) => t.result.status === 'valid';
 * ```
 */
export interface ProviderKeyTestResult {
  readonly result: ValidationResult;
  readonly recorded: boolean;
  readonly key: ProviderKeyInfo;
}
