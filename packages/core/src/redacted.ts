const REDACTED = '[REDACTED]';

/**
 * A secret value that never prints. `String(r)`, template literals, `JSON.stringify`,
 * `util.inspect`/`console.log` and JSON-based structured loggers all show `[REDACTED]`; the value
 * has no enumerable properties to copy or spread. The only way to the value is {@link Redacted.expose}.
 *
 * Redaction protects against accidents (a log line, an error report, a serialized response), not
 * against code that deliberately calls `expose()`.
 *
 * @example
 * ```ts
 * import { Redacted } from '@coffer/core';
 *
 * const token = new Redacted('EAAG-secret-token');
 * `${token}`; // '[REDACTED]'
 * JSON.stringify({ token }); // '{"token":"[REDACTED]"}'
 * token.expose(); // 'EAAG-secret-token'
 * ```
 */
export class Redacted<T = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
    Object.freeze(this);
  }

  static {
    // util.inspect (console.log, REPL, assertion diffs) looks this symbol up; defined here rather
    // than as a computed class member so the declaration stays isolated-declarations friendly.
    Object.defineProperty(Redacted.prototype, Symbol.for('nodejs.util.inspect.custom'), {
      value: (): string => REDACTED,
      enumerable: false,
    });
    Object.defineProperty(Redacted.prototype, Symbol.toPrimitive, {
      value: (): string => REDACTED,
      enumerable: false,
    });
    Object.defineProperty(Redacted.prototype, Symbol.toStringTag, {
      value: 'Redacted',
      enumerable: false,
    });
  }

  /** Returns the secret value. Every call site is a place where the secret leaves protection. */
  expose(): T {
    return this.#value;
  }

  /** Always `[REDACTED]`. */
  toString(): string {
    return REDACTED;
  }

  /** Always `[REDACTED]`, so `JSON.stringify` never serializes the value. */
  toJSON(): string {
    return REDACTED;
  }

  /** Whether `value` is a {@link Redacted} created by this package. */
  static isRedacted(value: unknown): value is Redacted<unknown> {
    return typeof value === 'object' && value !== null && #value in value;
  }
}

/**
 * Wraps `value` in a {@link Redacted}.
 *
 * @example
 * ```ts
 * import { redact } from '@coffer/core';
 *
 * const secret = redact('hunter2');
 * String(secret); // '[REDACTED]'
 * ```
 */
export function redact<T>(value: T): Redacted<T> {
  return new Redacted(value);
}
