// The GCRA step as one Lua script, run atomically by Redis with EVALSHA (docs/rate-limits.md). It
// reads Redis's own clock (TIME), so instance clocks do not matter, and stores the bucket's
// theoretical arrival time in microseconds with a TTL that ends exactly when the bucket is full
// again: an idle bucket vanishes, and a missing bucket means the same as a full one.
//
//   KEYS[1]  the bucket
//   ARGV[1]  the emission interval T, µs          ARGV[2]  the capacity, burst × T, µs
//   returns  > 0: admitted, µs until the bucket is full; < 0: refused, −µs until one is admitted
//
// Keep the SHA-1 constants in step with the texts (a test computes them).

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

/**
 * @internal The same step for several buckets in one call (decisions made in the same tick):
 * KEYS[i] with ARGV[2i-1], ARGV[2i]; returns one answer per key, in order. One TIME for all: they
 * are decided at the same instant, in key order, so two requests for one bucket see each other.
 */
export const RATE_LIMIT_BATCH_SCRIPT = `-- coffer GCRA rate-limit batch v1
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local out = {}
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local capacity = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i]))
  if tat == nil or tat < now then tat = now end
  local nextTat = tat + interval
  local allowAt = nextTat - capacity
  if allowAt > now then
    out[i] = -(allowAt - now)
  else
    redis.call('SET', KEYS[i], string.format('%.0f', nextTat), 'PX', math.ceil((nextTat - now) / 1000))
    out[i] = nextTat - now
  end
end
return out
`;

/** @internal SHA-1 of {@link RATE_LIMIT_BATCH_SCRIPT}. */
export const RATE_LIMIT_BATCH_SCRIPT_SHA1 = '0c6ff5b33f16a2319d85403ab5674617fd231933';

/** @internal SHA-1 of {@link RATE_LIMIT_SCRIPT}, the name EVALSHA knows it by. */
export const RATE_LIMIT_SCRIPT_SHA1 = '0374f6775d881055083c577c4941cd36ce711b74';
