// The `#platform` of Node (and of Bun and Deno, which resolve the `node` condition): the core count
// from node:os and bcrypt on worker threads.
import { availableParallelism } from 'node:os';
import type { HasherPlatform } from './_platform.js';
import { BcryptWorkerPool } from './worker-pool.js';

const platform: HasherPlatform = {
  parallelism: availableParallelism,
  createThreadPool: (size) => new BcryptWorkerPool(size),
};

export default platform;
