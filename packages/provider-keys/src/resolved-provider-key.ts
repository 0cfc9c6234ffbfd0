import type { Redacted } from '@coffer/core';
import type { FailureClassification } from './provider-definition.js';

/**
 * What `resolve` hands back to a handle for {@link ProviderKeys.reportFailure}. Only refs made by
 * the same `createProviderKeys` are accepted; the fields are for logs.
 *
 * @example
 * ```ts
 * import type { ProviderKeyRef } from '@coffer/provider-keys';
 *
 * const log = (ref: ProviderKeyRef) => `${ref.owner}/${ref.provider} via ${ref.source} key`;
 * ```
 */
export interface ProviderKeyRef {
  readonly owner: string;
  readonly provider: string;
  readonly source: 'customer' | 'platform';
}

/**
 * Why `resolve` returned the platform key: no stored key, or the stored one is disabled, invalid,
 * or rate-limited.
 *
 * @example
 * ```ts
 * import type { FallbackReason } from '@coffer/provider-keys';
 *
 * const reason: FallbackReason = 'invalid';
 * ```
 */
export type FallbackReason = 'no_key' | 'disabled' | 'invalid' | 'rate_limited';

/**
 * The key to call the provider with, and whose it is.
 *
 * @example
 * ```ts
 * import type { ResolvedProviderKey } from '@coffer/provider-keys';
 *
 * const header = (r: ResolvedProviderKey) => ({ authorization: `Bearer ${r.key.expose()}` });
 * ```
 */
export type ResolvedProviderKey =
  | {
      readonly source: 'customer';
      readonly provider: string;
      readonly key: Redacted<string>;
      readonly ref: ProviderKeyRef;
    }
  | {
      readonly source: 'platform';
      readonly provider: string;
      readonly key: Redacted<string>;
      readonly ref: ProviderKeyRef;
      /** Why the customer's key was not used. */
      readonly fallbackReason: FallbackReason;
    };

/**
 * What {@link ProviderKeys.reportFailure} did: `marked_invalid` (the customer's key, now invalid;
 * the event was emitted), `rate_limited` (resolve falls back until `until`), `superseded` (the key
 * was replaced, disabled or deleted since it was resolved: nothing changed), `none` (the answer
 * says nothing about the key, or it was the platform key).
 *
 * @example
 * ```ts
 * import type { ReportFailureResult } from '@coffer/provider-keys';
 *
 * const fellBack = (r: ReportFailureResult) => r.action === 'marked_invalid' || r.action === 'rate_limited';
 * ```
 */
export interface ReportFailureResult {
  readonly action: 'marked_invalid' | 'rate_limited' | 'superseded' | 'none';
  /** How the answer was read. */
  readonly classification: FailureClassification;
  /** For `rate_limited`: until when `resolve` falls back. */
  readonly until?: Date;
}
