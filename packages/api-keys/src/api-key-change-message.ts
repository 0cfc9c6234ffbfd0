// The change-feed message: one small JSON object per change, the same on every transport (a
// PostgreSQL NOTIFY payload, a Redis pub/sub message).
//
//   {"v":1,"type":"revoked","keyId":"0123456789ABCDEF","organizationId":"org_1","revision":3}
//
//   v               1 (a message of another version is not understood: ignored)
//   type            what happened, 1–64 characters [a-z0-9-] starting with a letter: a manager
//                   change (`revoked`, `killed`, `organization-killed`, …) or a database trigger's
//                   (`key-insert`, `key-update`, `key-delete`, `organization-switch`,
//                   `global-switch`). Informative: what to invalidate follows from the fields below.
//   keyId           the key that changed (16 Crockford base32 characters), if one did
//   organizationId  its organization, or the organization whose kill switch changed (1–200
//                   characters)
//   revision        the key's revision after the change (an integer of at least 1), if known
//
// A message names one key (keyId), else one organization (organizationId alone), else everything.
// Other fields are ignored, so later versions of coffer can add some without breaking readers. A
// message is at most 8000 characters (PostgreSQL's payload limit); anything else — not JSON, not an
// object, a field of the wrong type or out of range — does not parse.
import { InvalidInputError } from '@coffer/core';
import { isKeyId } from './api-key-format.js';

/** What one feed message says changed. */
export interface ApiKeyChangeMessage {
  /** What happened, e.g. `revoked` or `key-update` (informative). */
  readonly type: string;
  /** The key that changed, if one did. */
  readonly keyId?: string;
  /** Its organization, or the organization whose kill switch changed. */
  readonly organizationId?: string;
  /** The key's revision after the change, if known. */
  readonly revision?: number;
}

/**
 * Longest message accepted, in characters: PostgreSQL's NOTIFY payload limit (8000 bytes).
 *
 * @example
 * ```ts
 * import { MAX_API_KEY_CHANGE_MESSAGE_LENGTH, parseApiKeyChangeMessage } from '@coffer/api-keys';
 *
 * parseApiKeyChangeMessage(' '.repeat(MAX_API_KEY_CHANGE_MESSAGE_LENGTH + 1)); // null
 * ```
 */
export const MAX_API_KEY_CHANGE_MESSAGE_LENGTH = 8000;
const TYPE = /^[a-z][a-z0-9-]{0,63}$/;
const MAX_ORGANIZATION_ID = 200;

function checkedMessage(value: unknown): ApiKeyChangeMessage | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (v.v !== 1 || typeof v.type !== 'string' || !TYPE.test(v.type)) return null;
  const { keyId, organizationId, revision } = v;
  if (keyId !== undefined && !isKeyId(keyId)) return null;
  if (
    organizationId !== undefined &&
    (typeof organizationId !== 'string' ||
      organizationId.length === 0 ||
      organizationId.length > MAX_ORGANIZATION_ID)
  ) {
    return null;
  }
  if (revision !== undefined && (!Number.isSafeInteger(revision) || (revision as number) < 1)) {
    return null;
  }
  return {
    type: v.type,
    ...(keyId === undefined ? {} : { keyId }),
    ...(organizationId === undefined ? {} : { organizationId: organizationId as string }),
    ...(revision === undefined ? {} : { revision: revision as number }),
  };
}

/**
 * Reads one feed message; `null` when it is not one (wrong JSON, wrong version, a field of the
 * wrong type or out of range, more than 8000 characters). Never throws.
 *
 * @param text The message as received.
 * @returns What it says changed, or null.
 *
 * @example
 * ```ts
 * import { parseApiKeyChangeMessage } from '@coffer/api-keys';
 *
 * parseApiKeyChangeMessage('{"v":1,"type":"revoked","keyId":"0123456789ABCDEF"}');
 * // { type: 'revoked', keyId: '0123456789ABCDEF' }
 * parseApiKeyChangeMessage('{"v":1,"type":"revoked","keyId":"nope"}'); // null
 * parseApiKeyChangeMessage('not json'); // null
 * ```
 */
export function parseApiKeyChangeMessage(text: unknown): ApiKeyChangeMessage | null {
  if (typeof text !== 'string' || text.length > MAX_API_KEY_CHANGE_MESSAGE_LENGTH) return null;
  try {
    return checkedMessage(JSON.parse(text));
  } catch {
    return null;
  }
}

/**
 * Writes one feed message for a change (a manager's `ApiKeyChange`, or any object with the same
 * fields; other fields are left out).
 *
 * @param change What changed.
 * @returns The message text (version 1).
 * @throws {InvalidInputError} `INVALID_INPUT` when the change is not one a reader would accept.
 *
 * @example
 * ```ts
 * import { encodeApiKeyChangeMessage } from '@coffer/api-keys';
 *
 * encodeApiKeyChangeMessage({ type: 'organization-killed', organizationId: 'org_1' });
 * // '{"v":1,"type":"organization-killed","organizationId":"org_1"}'
 * ```
 */
export function encodeApiKeyChangeMessage(change: ApiKeyChangeMessage): string {
  const message = checkedMessage({
    v: 1,
    type: change.type,
    keyId: change.keyId,
    organizationId: change.organizationId,
    revision: change.revision,
  });
  const text = message === null ? null : JSON.stringify({ v: 1, ...message });
  if (text === null || text.length > MAX_API_KEY_CHANGE_MESSAGE_LENGTH) {
    throw new InvalidInputError(
      'The change cannot be sent on the feed: type must be 1-64 characters of a-z, 0-9 and -, keyId a key id, organizationId 1-200 characters, revision a positive integer.',
      { details: { parameter: 'change' } },
    );
  }
  return text;
}
