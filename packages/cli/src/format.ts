// Small formatters for people: counts, sizes, durations, rates.

const COUNT = new Intl.NumberFormat('en-US');

/** `1234567` → `1,234,567`. */
export function count(n: number): string {
  return COUNT.format(Math.round(n));
}

/** Bytes as B / kB / MB / GB (powers of 1000, one decimal). */
export function bytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Seconds as `m:ss` or `h:mm:ss`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** Seconds with two decimals, for summaries. */
export function seconds(ms: number): number {
  return Math.round(ms / 10) / 100;
}
