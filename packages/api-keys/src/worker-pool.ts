// A small pool of worker threads that run bcryptjs off the event loop. Workers start lazily, hold
// the process open only while they have work (ref while busy, unref while idle), and are replaced
// if one dies. Internal: the bcrypt hasher owns one.
import { Worker } from 'node:worker_threads';
import { BCRYPTJS_UMD_SOURCE } from './_bcryptjs-source.js';
import type { BcryptJob, BcryptThreadPool } from './_platform.js';
import { HasherError } from './errors.js';

/** One job for a worker: compare a key with a hash, or hash a key at a cost. */
export type PoolJob = BcryptJob;

interface Pending {
  readonly job: PoolJob;
  readonly resolve: (value: string | boolean) => void;
  readonly reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  current: Pending | null;
}

// The worker body runs as CommonJS (eval) and carries bcryptjs's code as text (generated from the
// installed bcryptjs, see scripts/bcryptjs-source.mjs), so it reads nothing from disk: it works
// the same from TypeScript sources, the built package and a single-file bundle, where no
// node_modules/bcryptjs exists to load by path or name. The UMD build is evaluated with its own
// `module`/`exports`, and `require` serves the one built-in it asks for (`crypto`). Error messages
// from bcryptjs are not passed back: they could echo their input.
let workerSource: string | undefined;
function bcryptWorkerSource(): string {
  workerSource ??= `'use strict';
const { parentPort } = require('node:worker_threads');
const bcrypt = (() => {
  const module = { exports: {} };
  const exports = module.exports;
  const define = undefined;
${BCRYPTJS_UMD_SOURCE}
  return module.exports;
})();
parentPort.on('message', (job) => {
  try {
    const result = job.op === 'compare' ? bcrypt.compareSync(job.key, job.hash) : bcrypt.hashSync(job.key, job.cost);
    parentPort.postMessage({ ok: true, result });
  } catch {
    parentPort.postMessage({ ok: false });
  }
});`;
  return workerSource;
}

/** A fixed-size pool of bcrypt workers with a FIFO queue. */
export class BcryptWorkerPool implements BcryptThreadPool {
  readonly #size: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  #closed = false;

  constructor(size: number) {
    this.#size = size;
  }

  run(job: PoolJob): Promise<string | boolean> {
    if (this.#closed) {
      return Promise.reject(new HasherError('closed'));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const error = new HasherError('closed');
    for (const pending of this.#queue.splice(0)) pending.reject(error);
    await Promise.all(this.#slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => s.current === null);
      if (slot === undefined) {
        if (this.#slots.length >= this.#size) return;
        slot = this.#spawn();
      }
      const pending = this.#queue.shift();
      if (pending === undefined) return;
      slot.current = pending;
      slot.worker.ref();
      slot.worker.postMessage(pending.job);
    }
  }

  #spawn(): Slot {
    const worker = new Worker(bcryptWorkerSource(), { eval: true });
    const slot: Slot = { worker, current: null };
    worker.on('message', (message: { ok: boolean; result?: string | boolean }) => {
      const pending = slot.current;
      slot.current = null;
      worker.unref();
      if (pending !== null) {
        if (message.ok && message.result !== undefined) pending.resolve(message.result);
        else pending.reject(new HasherError('failed'));
      }
      this.#dispatch();
    });
    const fail = (): void => {
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots.splice(index, 1);
      const pending = slot.current;
      slot.current = null;
      pending?.reject(new HasherError('worker-stopped'));
      if (!this.#closed) this.#dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    this.#slots.push(slot);
    return slot;
  }
}
