// Keys, envelopes and small helpers the suite's parts share.
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import type { DialectStorage, TestDatabase } from './dialect-harness.js';

const kek1 = generateKek().expose();
const kek2 = generateKek().expose();

/** KEK 1 alone (primary). */
export const keys1 = createLocalKeyProvider(
  Keyring.fromKeys([{ id: 1, key: kek1, status: 'primary' }]),
);
/** KEK 2 primary, KEK 1 still active: what a master-key rotation looks like. */
export const keys2 = createLocalKeyProvider(
  Keyring.fromKeys([
    { id: 2, key: kek2, status: 'primary' },
    { id: 1, key: kek1, status: 'active' },
  ]),
);
export const envelope1 = createEnvelope({ provider: keys1 });
export const envelope2 = createEnvelope({ provider: keys2 });
export const who = { actor: 'test', purpose: 'dialect suite' };

/** A unique table prefix per test, so tests sharing a database never see each other's rows. */
export function prefixer(label: string): () => string {
  let n = 0;
  return () => `${label}${++n}_`;
}

/** `count` stores on separate connections to `database`, the first one migrated. */
export async function openMany(
  database: TestDatabase,
  count: number,
  tablePrefix?: string,
): Promise<DialectStorage[]> {
  const stores: DialectStorage[] = [];
  for (let i = 0; i < count; i++) {
    stores.push(await database.open(tablePrefix === undefined ? {} : { tablePrefix }));
  }
  await stores[0]?.migrate();
  return stores;
}

/** The i-th store, round robin. */
export function pick<T>(list: readonly T[], i: number): T {
  const item = list[i % list.length];
  if (item === undefined) throw new Error('empty list');
  return item;
}

/** Runs `fn(i)` for i in [0, n) with at most `parallel` in flight. */
export async function inParallel(
  n: number,
  parallel: number,
  fn: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}
