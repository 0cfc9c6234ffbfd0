// The other ways providers say when a limit resets (internal). Each parser is strict and bounded;
// anything it does not recognise is `undefined`, never a guess.
import { clampWait } from './retry-after.js';

// Go-style durations as OpenAI's x-ratelimit-reset-* headers carry them: `20ms`, `1s`, `6m0s`,
// `1h2m3.5s`.
const GO_DURATION =
  /^(?:(\d{1,6})h)?(?:(\d{1,6})m(?!s))?(?:(\d{1,9}(?:\.\d{1,9})?)s)?(?:(\d{1,9})ms)?$/;

/** A Go-style duration in milliseconds, or `undefined`. */
export function parseGoDuration(value: string | undefined): number | undefined {
  if (value === undefined || value.length === 0 || value.length > 32) return undefined;
  const match = GO_DURATION.exec(value);
  if (match === null) return undefined;
  const [, h, m, s, ms] = match;
  if (h === undefined && m === undefined && s === undefined && ms === undefined) return undefined;
  return clampWait(
    Number(h ?? 0) * 3_600_000 + Number(m ?? 0) * 60_000 + Number(s ?? 0) * 1000 + Number(ms ?? 0),
  );
}

// RFC 3339 timestamps as Anthropic's anthropic-ratelimit-*-reset headers carry them.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** The wait until an RFC 3339 timestamp, in milliseconds (`0` if past), or `undefined`. */
export function waitUntilRfc3339(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.length > 40 || !RFC3339.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isFinite(time) ? clampWait(time - now) : undefined;
}

// google.protobuf.Duration in JSON: seconds with up to 9 fractional digits and a trailing `s`,
// as Google's google.rpc.RetryInfo.retryDelay carries it (`"37s"`, `"1.5s"`).
const PROTOBUF_DURATION = /^(\d{1,12})(\.\d{1,9})?s$/;

/** A protobuf JSON duration in milliseconds, or `undefined`. */
export function parseProtobufDuration(value: string | undefined): number | undefined {
  if (value === undefined || value.length > 32) return undefined;
  const match = PROTOBUF_DURATION.exec(value);
  if (match === null) return undefined;
  return clampWait(Number(`${match[1]}${match[2] ?? ''}`) * 1000);
}
