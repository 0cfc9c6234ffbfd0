// The opaque cursor of an audit page: the position (`at`, `id`) of the last entry returned.
import {
  fromBase64Url,
  InvalidInputError,
  toBase64Url,
  utf8Decode,
  utf8Encode,
} from '@coffer/core';
import { AUDIT_ID } from './audit-id.js';

/** @internal */
export interface AuditPosition {
  readonly at: number;
  readonly id: string;
}

/** @internal */
export function encodeAuditCursor(position: AuditPosition): string {
  return toBase64Url(utf8Encode(`a1.${position.at}.${position.id}`));
}

/**
 * @internal
 * @throws {InvalidInputError} `INVALID_INPUT` (`details.parameter` `after`) for anything that is
 *   not a cursor this package returned.
 */
export function decodeAuditCursor(cursor: unknown): AuditPosition {
  const bad = (): InvalidInputError =>
    new InvalidInputError('after must be the `next` cursor of an earlier audit page', {
      details: { parameter: 'after' },
    });
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 100) throw bad();
  let text: string;
  try {
    text = utf8Decode(fromBase64Url(cursor));
  } catch {
    throw bad();
  }
  const match = /^a1\.(0|[1-9][0-9]{0,15})\.([0-9A-Z]{26})$/.exec(text);
  const at = Number(match?.[1]);
  const id = match?.[2];
  if (id === undefined || !Number.isSafeInteger(at) || !AUDIT_ID.test(id)) throw bad();
  return { at, id };
}
