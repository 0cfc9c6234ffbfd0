// Who makes a change, why, and in which request: checked at the boundary so an audit line reads
// exactly as it was stored (no terminal escapes, bidi overrides or line separators in it).
import { InvalidInputError } from '@coffer/core';

/** What the caller of a change says about it; every field optional. */
export interface ApiKeyChangeOptions {
  /**
   * Who makes the change (1–256 characters, no control or format characters), e.g.
   * `user:42` or `ops@example.com`. Recorded as `unattributed` when omitted, unless the manager
   * was created with `requireActor: true`.
   */
  actor?: string;
  /** Why (1–1000 characters, no control or format characters), e.g. a ticket number. */
  reason?: string;
  /** The request that makes the change (1–200 characters), e.g. from `requestIdOf(req)`. */
  requestId?: string;
}

/**
 * The actor recorded for a change made without one (unless the manager has `requireActor`).
 *
 * @example
 * ```ts
 * import { UNATTRIBUTED_ACTOR } from '@coffer/api-keys';
 *
 * UNATTRIBUTED_ACTOR; // 'unattributed'
 * ```
 */
export const UNATTRIBUTED_ACTOR = 'unattributed';

/** @internal */
export const ACTOR_MAX_LENGTH = 256;
/** @internal */
export const REASON_MAX_LENGTH = 1000;
const REQUEST_ID_MAX_LENGTH = 200;

// Control and format characters, line and paragraph separators, and lone surrogates.
const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** @internal The checked note: `actor`, `reason` and `requestId` as they are recorded. */
export interface AuditNote {
  readonly actor: string;
  readonly reason: string | null;
  readonly requestId: string | null;
}

function checkText(value: unknown, name: string, max: number): string {
  // The value is never echoed: an actor or reason may hold whatever a careless caller passed.
  if (
    typeof value !== 'string' ||
    value.trim().length === 0 ||
    value.length > max ||
    CONTROL.test(value)
  ) {
    throw new InvalidInputError(
      `${name} must be a string of 1-${max} characters, not blank, without control or format characters (line breaks, terminal escapes, bidi overrides)`,
      { details: { parameter: name } },
    );
  }
  return value;
}

/**
 * @internal Checks a change's options.
 * @throws {InvalidInputError} `INVALID_INPUT` for a malformed actor, reason or request id, or a
 *   missing actor when `requireActor`.
 */
export function auditNoteOf(
  options: ApiKeyChangeOptions | undefined,
  requireActor: boolean,
): AuditNote {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InvalidInputError('options must be an object', { details: { parameter: 'options' } });
  }
  const actor = options?.actor;
  if (actor === undefined && requireActor) {
    throw new InvalidInputError(
      'actor is required: this manager records who makes every change (requireActor). Pass { actor }.',
      { details: { parameter: 'actor' } },
    );
  }
  return {
    actor: actor === undefined ? UNATTRIBUTED_ACTOR : checkText(actor, 'actor', ACTOR_MAX_LENGTH),
    reason:
      options?.reason === undefined ? null : checkText(options.reason, 'reason', REASON_MAX_LENGTH),
    requestId:
      options?.requestId === undefined
        ? null
        : checkText(options.requestId, 'requestId', REQUEST_ID_MAX_LENGTH),
  };
}
