// `coffer migrate`, `keys verify` and `rewrap`, spawned against real SQLite files and the real
// PostgreSQL: exit codes, --json shapes, and a rewrap interrupted with SIGINT and resumed, checked
// by reading the rows back (every row opens with the new key alone; each was rewrapped exactly
// once: rows moved by the first run keep their sealed bytes through the second).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { collect, json, runCli, spawnCli, tempDir } from './support/cli.ts';
import {
  kekEntry,
  keyringText,
  mismatches,
  readVersions,
  seedVault,
} from './support/vault-data.ts';

const temp = tempDir('rewrap');
let pg: TestDatabase;
beforeAll(async () => {
  pg = await createTestDatabase('cli_rewrap');
});
afterAll(async () => {
  await pg.drop();
  temp.remove();
});

interface RewrapJson {
  ok: boolean;
  primaryKekId: string;
  total: number;
  scanned: number;
  rewrapped: number;
  skipped: number;
  failed: { id: string; version: number; code: string }[];
  aborted: boolean;
  seconds: number;
}

const targets = [
  { name: 'SQLite', db: () => join(temp.dir, 'vault.db'), rows: 3000 },
  { name: 'PostgreSQL', db: () => pg.url, rows: 1000 },
] as const;

describe.each(targets)('rewrap and keys verify on $name', ({ db: dbOf, rows }) => {
  const k1 = kekEntry(1, true);
  const k2 = kekEntry(2, true);
  const k3 = kekEntry(3, true);
  const both = keyringText(k2, k1);
  let db: string;
  let seeded: { id: string; value: string }[];

  beforeAll(async () => {
    db = dbOf();
    const migrated = await runCli(['migrate', '--db', db, '--json']);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(json(migrated.stdout)).toMatchObject({
      ok: true,
      // Every migration the store has, in order (more are added over time).
      applied: expect.arrayContaining(['coffer_001_init', 'coffer_002_api_keys']),
    });
    seeded = await seedVault(db, k1, rows);
  });

  it('keys verify: exit 6 naming the KEK the keyring lacks, exit 0 once it has it', async () => {
    const missing = await runCli(['keys', 'verify', '--db', db, '--json'], {
      env: { COFFER_MASTER_KEYS: k2 },
    });
    expect(missing.code, missing.stderr).toBe(6);
    const failed = json(missing.stdout);
    expect(failed).toMatchObject({
      ok: false,
      primaryKekId: '2',
      keyring: [{ id: '2', status: 'primary' }],
      dataKekIds: null,
      versionsNotOnPrimary: rows,
      error: { code: 'KEYS_MISSING', details: { kekIds: ['1'] } },
    });
    expect(missing.stdout).not.toContain(k2.slice(3));

    // The likeliest start-up mistake: the right id with regenerated (or mistyped) key bytes.
    const regenerated = kekEntry(1, true);
    const wrongBytes = await runCli(['keys', 'verify', '--db', db, '--json'], {
      env: { COFFER_MASTER_KEYS: regenerated },
    });
    expect(wrongBytes.code, wrongBytes.stderr).toBe(6);
    expect(json(wrongBytes.stdout)).toMatchObject({
      ok: false,
      error: { code: 'KEK_MISMATCH', details: { kekIds: ['1'] } },
    });
    expect(wrongBytes.stdout + wrongBytes.stderr).not.toContain(regenerated.slice(3));

    const ok = await runCli(['keys', 'verify', '--db', db, '--json'], {
      env: { COFFER_MASTER_KEYS: both },
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok.stdout)).toEqual({
      ok: true,
      database: expect.any(String),
      keyringSource: 'COFFER_MASTER_KEYS',
      keyring: [
        { id: '2', status: 'primary' },
        { id: '1', status: 'active' },
      ],
      primaryKekId: '2',
      dataKekIds: ['1'],
      unusedKekIds: ['2'],
      versionsNotOnPrimary: rows,
    });
  });

  it('rewrap: SIGINT stops after a batch (exit 130); the next run finishes; no row lost or rewrapped twice', async () => {
    const ids = seeded.map((s) => s.id);
    const child = spawnCli(
      ['rewrap', '--db', db, '--batch-size', '10', '--progress', 'json', '--json'],
      { env: { COFFER_MASTER_KEYS: both } },
    );
    const done = collect(child);
    // The first progress line means the job runs: interrupt it then.
    await new Promise<void>((resolve) => {
      let text = '';
      child.stderr?.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('"event":"progress"')) resolve();
      });
    });
    child.kill('SIGINT');
    const first = await done;
    expect(first.code, first.stderr).toBe(130);
    const r1 = json<RewrapJson>(first.stdout);
    expect(r1).toMatchObject({
      ok: false,
      aborted: true,
      primaryKekId: '2',
      total: rows,
      skipped: 0,
      failed: [],
    });
    expect(r1.rewrapped).toBeGreaterThan(0);
    expect(r1.rewrapped).toBeLessThan(rows);
    expect(r1.rewrapped % 10).toBe(0); // whole batches only
    expect(first.stderr).toContain('stopping after the current batch');
    const progress = first.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e.event === 'progress');
    expect(progress[0]).toMatchObject({
      event: 'progress',
      label: 'rewrap',
      unit: 'rows',
      total: rows,
    });

    const afterFirst = await readVersions(db, ids);
    const movedFirst = ids.filter((id) => afterFirst.get(id)?.kekId === '2');
    expect(movedFirst).toHaveLength(r1.rewrapped);

    const second = await runCli(['rewrap', '--db', db, '--json', '--progress', 'none'], {
      env: { COFFER_MASTER_KEYS: both },
    });
    expect(second.code, second.stderr).toBe(0);
    const r2 = json<RewrapJson>(second.stdout);
    expect(r2).toMatchObject({
      ok: true,
      aborted: false,
      total: rows - r1.rewrapped,
      skipped: 0,
      failed: [],
    });
    expect(r1.rewrapped + r2.rewrapped).toBe(rows);

    const afterSecond = await readVersions(db, ids);
    for (const id of ids) expect(afterSecond.get(id)?.kekId).toBe('2');
    // Rows the first run moved were not touched again.
    for (const id of movedFirst)
      expect(afterSecond.get(id)?.sealed).toBe(afterFirst.get(id)?.sealed);
    // Every value opens with key 2 alone: nothing was lost or damaged.
    expect(await mismatches(db, k2, seeded)).toEqual([]);

    const verify = await runCli(['keys', 'verify', '--db', db, '--json'], {
      env: { COFFER_MASTER_KEYS: k2 },
    });
    expect(verify.code, verify.stderr).toBe(0);
    expect(json(verify.stdout)).toMatchObject({
      ok: true,
      dataKekIds: ['2'],
      versionsNotOnPrimary: 0,
    });
  });

  it('rewrap: rows under a key the keyring lacks fail by id and code (exit 6), without values', async () => {
    const orphans = await seedVault(db, k3, 3);
    const result = await runCli(['rewrap', '--db', db, '--json'], {
      env: { COFFER_MASTER_KEYS: both },
    });
    expect(result.code, result.stderr).toBe(6);
    const summary = json<RewrapJson>(result.stdout);
    expect(summary.ok).toBe(false);
    expect(summary.rewrapped).toBe(0);
    expect(summary.failed.map((f) => f.id).sort()).toEqual(orphans.map((o) => o.id).sort());
    expect(new Set(summary.failed.map((f) => f.code))).toEqual(new Set(['UNKNOWN_KEK']));
    for (const { value } of orphans) {
      expect(result.stdout).not.toContain(value);
      expect(result.stderr).not.toContain(value);
    }
    // Plain output in a pipe: key=value lines, one failed_row line per failure.
    const plain = await runCli(['rewrap', '--db', db, '--progress', 'none'], {
      env: { COFFER_MASTER_KEYS: both },
    });
    expect(plain.code).toBe(6);
    expect(plain.stdout).toMatch(/^rewrapped=0$/m);
    expect(plain.stdout).toMatch(/^failed=3$/m);
    expect(plain.stdout.match(/^failed_row=\S+ v1 UNKNOWN_KEK$/gm)).toHaveLength(3);
    expect(plain.stdout).not.toContain('\u001b[');
  });
});
