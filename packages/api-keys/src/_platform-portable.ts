// The `#platform` of runtimes without Node's built-ins (Cloudflare Workers, browsers): no worker
// threads, so bcrypt runs on the calling thread; the core count from `navigator` where there is one.
import type { HasherPlatform } from './_platform.js';

const platform: HasherPlatform = {
  parallelism: () => {
    const cores = (globalThis as { navigator?: { hardwareConcurrency?: unknown } }).navigator
      ?.hardwareConcurrency;
    return typeof cores === 'number' && Number.isInteger(cores) && cores > 0 ? cores : 1;
  },
  createThreadPool: null,
};

export default platform;
