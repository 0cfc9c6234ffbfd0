/**
 * What `createProviderKeys` tells the host through its `onEvent` hook. None carries a key.
 *
 * - `key_invalidated`: a customer's key was marked `invalid` (by `reportFailure` after an
 *   authentication failure, or by `test`): notify the customer. Emitted once per marking.
 * - `key_rate_limited`: the provider throttled the customer's key; `resolve` returns the platform
 *   key until `until`.
 * - `platform_key_failed`: your own platform key was refused or throttled (nothing to fall back to).
 * - `background_write_failed`: a throttled last-used write failed (`code` is the error's code);
 *   nothing else depends on it.
 *
 * @example
 * ```ts
 * import type { ProviderKeyEvent } from '@coffer/provider-keys';
 *
 * const onEvent = (event: ProviderKeyEvent) => {
 *   if (event.type === 'key_invalidated') console.log(`tell ${event.owner}: ${event.provider} key ${event.reason}`);
 * };
 * ```
 */
export type ProviderKeyEvent =
  | {
      readonly type: 'key_invalidated';
      readonly owner: string;
      readonly provider: string;
      /** The vault id of the key, and the version that was refused. */
      readonly keyId: string;
      readonly version: number;
      /** A code such as `key_rejected`, safe to show. */
      readonly reason: string;
      /** What found out: your upstream call (`reportFailure`) or a `test`. */
      readonly trigger: 'upstream' | 'test';
      readonly at: Date;
    }
  | {
      readonly type: 'key_rate_limited';
      readonly owner: string;
      readonly provider: string;
      readonly keyId: string;
      readonly version: number;
      /** Until when `resolve` falls back to the platform key (in this process). */
      readonly until: Date;
      readonly at: Date;
    }
  | {
      readonly type: 'platform_key_failed';
      readonly owner: string;
      readonly provider: string;
      readonly kind: 'auth_failed' | 'rate_limited';
      readonly reason?: string;
      readonly at: Date;
    }
  | {
      readonly type: 'background_write_failed';
      readonly owner: string;
      readonly provider: string;
      readonly code: string;
      readonly at: Date;
    };
