// What the hasher and verifier need from the runtime: how many cores to plan for, and whether
// bcrypt can run on threads. Chosen by the `#platform` conditional import in package.json: Node (and
// runtimes that resolve the `node` condition, Bun and Deno) get worker threads; everything else
// (Cloudflare Workers, browsers) runs bcryptjs on the calling thread. Internal.

/** A running bcrypt job: compare a key with a hash, or hash a key at a cost. */
export type BcryptJob =
  | { readonly op: 'compare'; readonly key: string; readonly hash: string }
  | { readonly op: 'hash'; readonly key: string; readonly cost: number };

/** A pool of threads running bcrypt jobs. */
export interface BcryptThreadPool {
  run(job: BcryptJob): Promise<string | boolean>;
  close(): Promise<void>;
}

/** @internal */
export interface HasherPlatform {
  /** Cores available to this process (at least 1). */
  parallelism(): number;
  /** Creates a pool of `size` threads, or null where the runtime has no threads for bcrypt. */
  readonly createThreadPool: ((size: number) => BcryptThreadPool) | null;
}
