// Case-insensitive header lookup over whatever the host has: a fetch `Headers`, or a plain object
// such as Node's `IncomingHttpHeaders` (internal).

/** Headers as a host may hold them: a `Headers` instance (or anything with `get`), or an object. */
export type HeadersLike =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | number | undefined>>;

// A value longer than this is not a header we read (a hostile upstream's megabyte of header).
const MAX_HEADER_VALUE = 8192;

function bounded(value: string): string | undefined {
  return value.length > MAX_HEADER_VALUE ? undefined : value;
}

function fromValue(value: unknown): string | undefined {
  if (typeof value === 'string') return bounded(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) {
    const parts = value.filter((part): part is string => typeof part === 'string');
    if (parts.length === 0) return undefined;
    // Duplicates are joined as `fetch` joins them: a single-valued header such as Retry-After
    // sent twice becomes a list no parser accepts, whether or not the copies agree.
    return bounded(parts.join(', '));
  }
  return undefined;
}

/** A lookup function over `headers`; `undefined` headers have no values. Never throws. */
export function headerLookup(headers: unknown): (name: string) => string | undefined {
  if (headers === undefined || headers === null) return () => undefined;
  let getter: unknown;
  try {
    getter = (headers as { get?: unknown }).get;
  } catch {
    return () => undefined;
  }
  if (typeof getter === 'function') {
    const source = headers as { get(name: string): unknown };
    return (name) => {
      try {
        return fromValue(source.get(name));
      } catch {
        return undefined;
      }
    };
  }
  const byName = new Map<string, unknown>();
  try {
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      const lower = name.toLowerCase();
      const previous = byName.get(lower);
      byName.set(
        lower,
        previous === undefined ? value : [previous, value].flat().filter((v) => v !== undefined),
      );
    }
  } catch {
    return () => undefined;
  }
  return (name) => fromValue(byName.get(name.toLowerCase()));
}

/** Whether `headers` is something {@link headerLookup} understands. */
export function isHeadersLike(headers: unknown): boolean {
  return headers === undefined || (typeof headers === 'object' && headers !== null);
}
