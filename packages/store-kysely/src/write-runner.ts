// Runs store writes: single statements and transactions, each retried as a whole while the
// database reports transient contention (SQLITE_BUSY, deadlock, serialization failure), with
// jittered exponential backoff on timers so a waiting writer never blocks the event loop.
import { CompiledQuery, type Kysely, type QueryExecutorProvider } from 'kysely';
import type { DialectAdapter } from './dialect-adapter.js';
import { StoreBusyError } from './errors.js';

/** @internal */
export interface WriteRunner {
  /** Runs `fn` (one statement, autocommit) and retries it on transient contention. */
  once<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` inside a write transaction on one connection; retried as a whole on contention. */
  transaction<T, DB>(db: Kysely<DB>, fn: (trx: Kysely<DB>) => Promise<T>): Promise<T>;
  /**
   * Whether the adapter's `atomicBlock` runs on this server: asked once (after the store's
   * `prepareWrites`), again after a failure to ask.
   */
  atomicBlocks(): Promise<boolean>;
  /** Stops using the adapter's `atomicBlock`: the server refused one. */
  refuseAtomicBlocks(): void;
}

const FIRST_DELAY_MS = 1;
const MAX_DELAY_MS = 50;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** @internal */
export function createWriteRunner(
  adapter: DialectAdapter,
  maxWaitMs: number,
  db: QueryExecutorProvider,
): WriteRunner {
  let prepared: Promise<void> | undefined;
  const prepare = (): Promise<void> => {
    if (adapter.prepareWrites === undefined) return Promise.resolve();
    if (prepared === undefined) {
      prepared = adapter.prepareWrites(db).catch((error: unknown) => {
        prepared = undefined; // try again on the next write
        throw error;
      });
    }
    return prepared;
  };
  const begin = CompiledQuery.raw(adapter.beginWrite);
  const commit = CompiledQuery.raw('commit');
  const rollback = CompiledQuery.raw('rollback');
  let ready = adapter.prepareWrites === undefined;
  let blocks: Promise<boolean> | undefined;
  async function retrying<T>(fn: () => Promise<T>): Promise<T> {
    if (!ready) {
      await prepare();
      ready = true;
    }
    const started = Date.now();
    let attempts = 0;
    let delay = FIRST_DELAY_MS;
    for (;;) {
      attempts++;
      try {
        return await fn();
      } catch (error) {
        adapter.scrubError?.(error);
        if (!adapter.isTransient(error)) throw error;
        const waited = Date.now() - started;
        const pause = Math.max(1, Math.round(delay * (0.5 + Math.random())));
        if (waited + pause > maxWaitMs) {
          throw new StoreBusyError({ dialect: adapter.dialect, attempts, waitedMs: waited }, error);
        }
        await sleep(pause);
        delay = Math.min(MAX_DELAY_MS, delay * 2);
      }
    }
  }

  return {
    once: retrying,
    atomicBlocks: () => {
      const block = adapter.atomicBlock;
      if (block === undefined) return Promise.resolve(false);
      if (blocks === undefined) {
        blocks = retrying(() => block.supported(db)).catch((error: unknown) => {
          blocks = undefined; // ask again on the next put
          throw error;
        });
      }
      return blocks;
    },
    refuseAtomicBlocks: () => {
      blocks = Promise.resolve(false);
    },
    transaction: (db, fn) =>
      retrying(() =>
        db.connection().execute(async (conn) => {
          await conn.executeQuery(begin);
          let result: Awaited<ReturnType<typeof fn>>;
          try {
            result = await fn(conn);
            await conn.executeQuery(commit);
          } catch (error) {
            // A failed rollback (connection gone) must not hide the error that caused it.
            await conn.executeQuery(rollback).catch(() => undefined);
            throw error;
          }
          return result;
        }),
      ),
  };
}
