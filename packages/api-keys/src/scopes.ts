import type { VerifiedApiKey } from './api-key-info.js';
import { ForbiddenScopeError } from './errors.js';

/**
 * Checks that a verified key holds every scope in `required` (all of them, not any), for routes
 * that decide their scope after authentication. The middleware's and `verify`'s `requiredScopes`
 * option does the same check for you.
 *
 * @throws {ForbiddenScopeError} `FORBIDDEN_SCOPE` (403) with `details.missing` listing the scopes
 *   the key lacks, in the order asked for.
 * @example
 * ```ts
 * import { requireScopes, type VerifiedApiKey } from '@coffer/api-keys';
 *
 * function cancelJob(key: VerifiedApiKey): void {
 *   requireScopes(key, ['jobs:cancel']); // throws FORBIDDEN_SCOPE (403) unless the key has it
 * }
 * ```
 */
export function requireScopes(
  key: Pick<VerifiedApiKey, 'scopes'>,
  required: readonly string[],
): void {
  if (required.length === 0) return;
  const missing = required.filter((scope) => !key.scopes.includes(scope));
  if (missing.length > 0) throw new ForbiddenScopeError(missing);
}
