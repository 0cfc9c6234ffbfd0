// A monotonic clock in whole microseconds, read once per run of synchronous work: the first read
// in a task reads `performance.now()`, later reads in the same task get the same value, and a
// microtask forgets it. On virtual machines without a vDSO clock a read costs 150-200 ns, several
// times a whole decision; requests handled in one task arrived together anyway. A value that lags
// real time only makes GCRA stricter (it admits at an earlier `now`), never looser.

let cached = -1;
const forget = (): void => {
  cached = -1;
};

/** @internal Microseconds on the process's monotonic clock, as of the start of this task. */
export function tickNowUs(): number {
  if (cached < 0) {
    cached = Math.round(performance.now() * 1000);
    queueMicrotask(forget);
  }
  return cached;
}
