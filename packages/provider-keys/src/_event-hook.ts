// The host's `onEvent` hook, called so that it cannot disturb the operation it is told about
// (internal).
import type { ProviderKeyEvent } from './provider-key-events.js';

/** Emits an event; what emitting a type of event means is up to the operation. */
export type Emit = (event: ProviderKeyEvent) => void;

/** An {@link Emit} that tells `onEvent` (nothing when there is none), ignoring its failures. */
export function eventEmitter(onEvent: ((event: ProviderKeyEvent) => unknown) | undefined): Emit {
  return function emit(event: ProviderKeyEvent): void {
    if (onEvent === undefined) return;
    try {
      const r = onEvent(event) as { then?: unknown } | undefined;
      if (typeof r?.then === 'function') (r as Promise<unknown>).then(undefined, () => undefined);
    } catch {
      // A hook's failure must not undo or fail the operation that happened.
    }
  };
}
