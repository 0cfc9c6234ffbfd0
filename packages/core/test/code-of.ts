import { isCofferError } from '../src/index.js';

/** The CofferError code `fn` throws, `undefined` when it returns, or a marker for foreign errors. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isCofferError(e) ? e.code : `non-coffer: ${String(e)}`;
  }
  return undefined;
}
