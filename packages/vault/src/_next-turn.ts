// Lets the event loop run: timers, I/O callbacks and signal handlers waiting behind a long job.
// Chosen by the `#next-turn` conditional import in package.json: Node (and Bun and Deno, which
// resolve the `node` condition) take one `setImmediate` turn; other runtimes (Cloudflare Workers,
// browsers) a zero-delay timer. Internal.

/** Resolves once the event loop has run the callbacks queued before the call. */
export type NextTurn = () => Promise<void>;
