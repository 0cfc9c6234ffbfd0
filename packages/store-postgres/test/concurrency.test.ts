// Many pooled connections (two pools, as two processes would have) writing one entry at once:
// check-and-set writes lose nothing and never duplicate a version.
import { isCofferError, randomBytes, toHex } from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createVault, createVaultReader, type VaultStore } from '@coffer/vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { createPostgresStore, type PostgresStore } from '../src/index.js';

let database: TestDatabase;
let stores: PostgresStore[] = [];
const kek1 = generateKek().expose();
const kek2 = generateKek().expose();
const keys1 = createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: kek1, status: 'primary' }]));
const keys2 = createLocalKeyProvider(
  Keyring.fromKeys([
    { id: 2, key: kek2, status: 'primary' },
    { id: 1, key: kek1, status: 'active' },
  ]),
);
const who = { actor: 'test', purpose: 'concurrency' };

function fail(): never {
  throw new Error('missing fixture');
}

function storeAt(i: number): VaultStore {
  const s = stores[i % stores.length];
  if (s === undefined) throw new Error('no store');
  return s.vault;
}

beforeAll(async () => {
  database = await createTestDatabase('pg_concurrency');
  stores = [0, 1].map(() =>
    createPostgresStore({ connectionString: database.url, poolSize: 10, schema: 'app' }),
  );
  await stores[0]?.migrate();
});

afterAll(async () => {
  for (const s of stores) await s.close();
  await database?.drop();
});

describe('PostgreSQL, 20 pooled connections in two pools', () => {
  it('300 concurrent rotations of one id (each retried until it wins): versions 2..301, each once, none lost', async () => {
    const vault = createVault({ store: storeAt(0), envelope: createEnvelope({ provider: keys1 }) });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-initial-0000' });
    const first = await storeAt(0).getVersion(id, 1);
    if (first === undefined) throw new Error('missing v1');
    const n = 300;
    const written = new Map<number, string>();
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: n }, async (_, worker) => {
        const store = storeAt(worker);
        const sealed = randomBytes(64);
        let attempts = 0;
        for (;;) {
          const entry = await store.getEntry(id);
          if (entry === undefined) throw new Error('entry vanished');
          const version = entry.version + 1;
          const won = await store.rotate({
            id,
            expectedVersion: entry.version,
            next: { ...first, version, sealed, createdAt: 1_750_000_000_000 + worker },
            preview: `w${worker}`,
            keepVersions: 10_000,
          });
          if (won) {
            expect(written.has(version)).toBe(false);
            written.set(version, toHex(sealed));
            return;
          }
          conflicts++;
          // A polite client backs off (exponentially, with jitter) before retrying a lost
          // check-and-set; without it 300 clients on one row spend their time colliding.
          const ceiling = Math.min(256, 2 ** Math.min(8, ++attempts));
          await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
        }
      }),
    );
    expect([...written.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: n }, (_, i) => i + 2),
    );
    expect(conflicts).toBeGreaterThan(0); // the race was real
    expect((await storeAt(1).getEntry(id))?.version).toBe(n + 1);
    const rows = await storeAt(1).listVersions(id);
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: n + 1 }, (_, i) => n + 1 - i));
    for (const row of rows) {
      if (row.version === 1) continue;
      expect(toHex(row.sealed)).toBe(written.get(row.version));
    }
    // The random bytes above are not sealed values; keep them out of the rewrap test below.
    expect(await storeAt(1).destroyEntry(id)).toBe(true);
  });

  it('300 concurrent vault.rotate calls across pools: every success has its own version and value', async () => {
    const envelope = createEnvelope({ provider: keys1 });
    const vaults = [0, 1].map((i) =>
      createVault({ store: storeAt(i), envelope, maxVersions: 100 }),
    );
    const reader = createVaultReader({ store: storeAt(1), envelope, audit: 'unaudited' });
    const { id } = await (vaults[0] ?? fail()).put({
      kind: 'k',
      owner: 'o',
      value: 'value-initial-0000',
    });
    const settled = await Promise.allSettled(
      Array.from({ length: 300 }, (_, i) =>
        (vaults[i % 2] ?? fail()).rotate(id, `value-rotation-${i}-0123456789`),
      ),
    );
    const wins = new Map<number, string>();
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') {
        expect(wins.has(s.value.version)).toBe(false);
        wins.set(s.value.version, `value-rotation-${i}-0123456789`);
      } else {
        expect(isCofferError(s.reason, 'VERSION_CONFLICT')).toBe(true);
      }
    });
    expect(wins.size).toBeGreaterThan(0);
    expect([...wins.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: wins.size }, (_, i) => i + 2),
    );
    expect((await reader.reveal(id, who)).expose()).toBe(wins.get(wins.size + 1));
    const retained = await reader.revealVersions(id, who);
    expect(retained.length).toBe(Math.min(101, wins.size + 1));
    for (const v of retained) {
      if (v.version > 1) expect(v.value.expose()).toBe(wins.get(v.version));
    }
  });

  it('200 concurrent puts across pools: 200 distinct ids, all readable', async () => {
    const envelope = createEnvelope({ provider: keys1 });
    const refs = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        createVault({ store: storeAt(i), envelope }).put({
          kind: 'k',
          owner: 'org_puts',
          value: `value-put-${i}-0123456789`,
        }),
      ),
    );
    expect(new Set(refs.map((r) => r.id)).size).toBe(200);
    const reader = createVaultReader({ store: storeAt(1), envelope, audit: 'unaudited' });
    const values = await Promise.all(refs.map((r) => reader.reveal(r.id, who)));
    expect(values.map((v) => v.expose())).toEqual(refs.map((_, i) => `value-put-${i}-0123456789`));
  });

  it('rewrapAll on one pool while the other rotates: every row ends on the primary KEK and opens', async () => {
    const before = createVault({
      store: storeAt(0),
      envelope: createEnvelope({ provider: keys1 }),
    });
    const ids: string[] = [];
    for (let i = 0; i < 150; i++) {
      ids.push(
        (await before.put({ kind: 'k', owner: 'org_rw', value: `value-rw-${i}-0123456789` })).id,
      );
    }
    const envelope2 = createEnvelope({ provider: keys2 });
    const job = createVault({ store: storeAt(0), envelope: envelope2, provider: keys2 }).rewrapAll({
      batchSize: 20,
    });
    const latest = new Map<string, string>();
    await Promise.all(
      ids.map(async (id, i) => {
        if (i % 3 !== 0) return;
        const value = `value-rw-${i}-rotated-0123`;
        await createVault({ store: storeAt(1), envelope: envelope2 }).rotate(id, value);
        latest.set(id, value);
      }),
    );
    const result = await job;
    expect(result.failed).toEqual([]);
    expect(await storeAt(1).scanForRewrap({ notKekId: '2', limit: 10 })).toEqual([]);
    const reader = createVaultReader({
      store: storeAt(1),
      envelope: envelope2,
      audit: 'unaudited',
    });
    for (const [i, id] of ids.entries()) {
      expect((await reader.reveal(id, who)).expose()).toBe(
        latest.get(id) ?? `value-rw-${i}-0123456789`,
      );
    }
  });
});
