// Reading fields of an untrusted, parsed body without trusting it (internal): only own data
// properties are read (no getter runs), strings are bounded, and nothing here throws.

/** An own data property of `value`, or `undefined`. */
export function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined;
  } catch {
    return undefined;
  }
}

/** A string of at most `max` characters, or `undefined`. */
export function text(value: unknown, max = 256): string | undefined {
  return typeof value === 'string' && value.length <= max ? value : undefined;
}

/** A finite number, or `undefined`. */
export function number(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The first `max` items of an array (a copy), or an empty list. */
export function items(value: unknown, max = 64): readonly unknown[] {
  if (!Array.isArray(value)) return [];
  try {
    const length = Math.min(value.length, max);
    const out: unknown[] = [];
    for (let i = 0; i < length; i++) out.push(field(value, String(i)));
    return out;
  } catch {
    return [];
  }
}
