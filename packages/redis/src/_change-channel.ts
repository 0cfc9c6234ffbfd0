// The pub/sub channel name shared by the Redis change publisher and source.
import { InvalidInputError } from '@coffer/core';

/** @internal The channel used when none is given. */
export const DEFAULT_CHANGE_CHANNEL = 'coffer:api-key-change';

/** @internal Validates a channel name: 1–200 characters, no control characters. */
export function checkedChannel(channel: unknown): string {
  const value = channel ?? DEFAULT_CHANGE_CHANNEL;
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 200 ||
    [...value].some((c) => c < ' ' || c === '\u007f')
  ) {
    throw new InvalidInputError('channel must be 1-200 characters without control characters.', {
      details: { parameter: 'channel' },
    });
  }
  return value;
}
