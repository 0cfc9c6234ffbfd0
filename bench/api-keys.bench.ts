// api-keys: the hot path (a cached key, headers in, decision out) against one bare SHA-256 of the
// key string; a cold verification against one bare bcryptjs compare; the worker pool's throughput
// against a single thread; event-loop lag while a flood of cold verifications runs; and a proven
// partner's success rate while a flood of forged keys fills every compare slot.
import * as nodeCrypto from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { crc32 } from 'node:zlib';
import {
  authenticate,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
} from '@coffer/api-keys';
import bcrypt from 'bcryptjs';
import type { BenchContext } from './harness.ts';

// crypto.hash (one-shot) exists from Node 20.12 / 21.7; createHash is the fallback.
const oneShot = (
  nodeCrypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }
).hash;
const sha256Hex = (text: string): string =>
  oneShot === undefined
    ? nodeCrypto.createHash('sha256').update(text).digest('hex')
    : oneShot('sha256', text, 'hex');

const COLD_COST = 8;

/** A well-formed key (valid CRC-32, per docs/api-key-format.md) after `start`, random secret. */
function keyAfter(start: string): string {
  const random28 = nodeCrypto.randomBytes(28);
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc32(Buffer.concat([Buffer.from(`${start}_`, 'ascii'), random28])));
  return `${start}_${Buffer.concat([random28, sum]).toString('base64url')}`;
}

/** A well-formed key for `key`'s key_id with a wrong secret. */
function wrongSecretFor(key: string): string {
  return keyAfter(key.slice(0, key.lastIndexOf('_', key.length - 44)));
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A forged key: random key_id, correct checksum. Anyone can make these offline. */
function forgedKey(): string {
  const id = Array.from(nodeCrypto.randomBytes(16), (b) => CROCKFORD[b % 32]).join('');
  return keyAfter(`lp_live_${id}`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export default async function (b: BenchContext): Promise<void> {
  const store = createMemoryApiKeyStore();
  const minter = createBcryptHasher({ cost: 4, threads: 0 });
  const manager = createApiKeyManager({ store, hasher: minter });
  const minted = await manager.mint({
    organizationId: 'org_bench',
    env: 'live',
    name: 'bench',
    scopes: ['events:read'],
  });
  const key = minted.key.expose();

  // Hot: the verifier has seen the key; state is fresh for the default second and re-read after.
  const hot = createApiKeyVerifier({ store, hasher: minter });
  const headers = { 'x-api-key': key, 'user-agent': 'bench', accept: 'application/json' };
  const request = { headers };
  await authenticate(hot, request);
  await b.compare({
    name: 'api-keys: hot verify (cached, Node headers in) vs one SHA-256 of the key',
    target: 0.3,
    baseline: {
      name: oneShot === undefined ? 'createHash sha256 hex' : 'crypto.hash sha256 hex',
      fn: () => sha256Hex(key),
    },
    subject: () => authenticate(hot, request),
  });

  // Cold: every call compares (cache off) at cost 8, through the worker pool, against the same
  // compare done bare on the main thread.
  const slowStore = createMemoryApiKeyStore();
  const record = await store.getKey(minted.keyId);
  if (record === null) throw new Error('bench key not stored');
  await slowStore.insertKey({ ...record, secretHash: bcrypt.hashSync(key, COLD_COST) });
  const bareHash = bcrypt.hashSync(key, COLD_COST);
  const oneThread = createBcryptHasher({ cost: COLD_COST, threads: 1 });
  const cold = createApiKeyVerifier({ store: slowStore, hasher: oneThread, cache: false });
  await cold.verify(key);
  await b.compare({
    name: `api-keys: cold verify (cost ${COLD_COST}, worker) vs one bcryptjs compare`,
    target: 1.1,
    atMost: true,
    baseline: { name: 'bcryptjs compareSync', fn: () => bcrypt.compareSync(key, bareHash) },
    subject: () => cold.verify(key),
    roundMs: 400,
  });

  // Throughput: a batch of concurrent cold verifications through a pool of one thread per core
  // against the same batch through one thread. Each request of a batch carries a different key:
  // concurrent requests with one key share a single compare (by design), so a batch of one key
  // would measure one compare per batch whatever the pool size.
  const cores = availableParallelism();
  const batchKeys: string[] = [];
  for (let i = 0; i < cores * 4; i++) {
    const extra = await manager.mint({ organizationId: 'org_bench', env: 'live', name: `b${i}` });
    const extraKey = extra.key.expose();
    const extraRecord = await store.getKey(extra.keyId);
    if (extraRecord === null) throw new Error('bench key not stored');
    await slowStore.insertKey({ ...extraRecord, secretHash: bcrypt.hashSync(extraKey, COLD_COST) });
    batchKeys.push(extraKey);
  }
  const pooled = createBcryptHasher({ cost: COLD_COST, threads: cores });
  const wide = createApiKeyVerifier({
    store: slowStore,
    hasher: pooled,
    cache: false,
    failedAttempts: false,
  });
  const narrow = createApiKeyVerifier({
    store: slowStore,
    hasher: oneThread,
    cache: false,
    failedAttempts: false,
  });
  const batch = (verifier: typeof wide) => Promise.all(batchKeys.map((k) => verifier.verify(k)));
  await batch(wide);
  await b.compare({
    name: `api-keys: cold-verify throughput, ${cores}-thread pool vs 1 thread`,
    target: 1.6,
    baseline: { name: '1 worker thread', fn: () => batch(narrow) },
    subject: () => batch(wide),
    roundMs: 600,
  });

  // Lag: sample the event loop every 5 ms while 200 cold verifications (cost 8) of unknown
  // key_ids, wrong secrets and right keys flood the pooled verifier. The concurrency cap is raised
  // so every one of them really runs (with the default cap most would be refused at once).
  const flood = createApiKeyVerifier({
    store: slowStore,
    hasher: pooled,
    cache: false,
    failedAttempts: false,
    maxConcurrentCompares: 256,
  });
  const other = await createApiKeyManager({
    store: createMemoryApiKeyStore(),
    hasher: minter,
  }).mint({
    organizationId: 'x',
    env: 'live',
    name: 'x',
  });
  const wrong = wrongSecretFor(key);
  const floodKeys = [key, other.key.expose(), wrong];
  const outcomes = new Map<string, number>();
  const count = (outcome: string): void => {
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  };
  let worst = 0;
  let expected = performance.now() + 5;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - expected);
    expected = now + 5;
  }, 5);
  await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      flood.verify(floodKeys[i % 3]).then(
        () => count('ok'),
        (error: { code?: string }) => count(error.code ?? 'error'),
      ),
    ),
  );
  clearInterval(timer);
  worst = Math.max(worst, performance.now() - expected);
  // Every request must have been compared: a refusal at the cap would make the figure meaningless.
  if (outcomes.get('ok') !== 67 || outcomes.get('UNAUTHENTICATED') !== 133) {
    throw new Error(`flood outcomes not as expected: ${JSON.stringify([...outcomes])}`);
  }
  b.report({
    name: 'api-keys: event-loop lag during a flood of 200 cold verifications (all compared)',
    value: Math.round(worst * 10) / 10,
    unit: 'ms',
    target: 20,
    atMost: true,
  });

  // Lockout: a partner this verifier has proven keeps calling while a flood of forged keys
  // (random key_ids, valid checksums) arrives at 2,000 requests/s for two seconds and fills every
  // compare slot (default cap, cost-8 compares in the pool). The partner's cache entry ages every
  // 250 ms, so it is compared again about eight times during the flood. Figure: the share of the
  // partner's requests that succeed.
  const partnerVerifier = createApiKeyVerifier({
    store: slowStore,
    hasher: pooled,
    cache: { maxAgeMs: 250 },
  });
  await partnerVerifier.verify(key);
  const forged = Array.from({ length: 4400 }, forgedKey);
  const partner = { ok: 0, sent: 0 };
  const flooding: Promise<unknown>[] = [];
  let sent = 0;
  const began = performance.now();
  for (let elapsed = 0; elapsed < 2000 && sent < forged.length; ) {
    const due = Math.min(forged.length, Math.ceil((elapsed + 5) * 2));
    for (; sent < due; sent++) flooding.push(partnerVerifier.verify(forged[sent]).catch(() => {}));
    partner.sent += 1;
    flooding.push(
      partnerVerifier.verify(key).then(
        () => {
          partner.ok += 1;
        },
        () => {},
      ),
    );
    await sleep(5);
    elapsed = performance.now() - began;
  }
  await Promise.all(flooding);
  b.report({
    name: `api-keys: a proven partner's success rate under ${sent} forged keys (2,000/s, cost ${COLD_COST})`,
    value: Math.round((partner.ok / partner.sent) * 1000) / 1000,
    unit: 'success ratio',
    target: 0.99,
  });

  await Promise.all([minter.close(), oneThread.close(), pooled.close()]);
}
