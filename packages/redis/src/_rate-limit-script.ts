// The GCRA step as one Lua script, run atomically by Redis with EVALSHA (docs/rate-limits.md). It
// reads Redis's own clock (TIME), so instance clocks do not matter, and stores the bucket's
// theoretical arrival time in microseconds with a TTL that ends exactly when the bucket is full
// again: an idle bucket vanishes, and a missing bucket means the same as a full one.
//
//   KEYS[1]  the bucket
//   ARGV[1]  the emission interval T, µs          ARGV[2]  the capacity, burst × T, µs
//   returns  > 0: admitted, µs until the bucket is full; < 0: refused, −µs until one is admitted
//
// Keep RATE_LIMIT_SCRIPT_SHA1 in step with the text (a test computes it).

/** @internal */
export const RATE_LIMIT_SCRIPT = `-- coffer GCRA rate-limit step v1
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local nextTat = tat + interval
local allowAt = nextTat - capacity
if allowAt > now then return -(allowAt - now) end
redis.call('SET', KEYS[1], string.format('%.0f', nextTat), 'PX', math.ceil((nextTat - now) / 1000))
return nextTat - now
`;

/** @internal SHA-1 of {@link RATE_LIMIT_SCRIPT}, the name EVALSHA knows it by. */
export const RATE_LIMIT_SCRIPT_SHA1 = '0374f6775d881055083c577c4941cd36ce711b74';
