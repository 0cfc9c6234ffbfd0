// cli: the `coffer` binary, spawned as an operator runs it once installed (`npx coffer …`: Node and
// the built JavaScript; the bench builds @coffer/cli and the packages it uses first, so the figure
// is never taken on stale output and never pays tsx's transpiling), against the library it drives,
// called in process on the same data in the same run. Rounds alternate baseline and subject; the
// median of each counts.
//
// - pii hash --profile meta on a 1,000,000-row CSV (e-mail, phone) written to a file, against
//   hashUserDataBatch on the same rows already in memory: what reading, parsing, streaming and
//   writing the file cost on top of hashing (target 0.6).
// - rewrap on 100,000 SQLite rows, against vault.rewrapAll on a copy of the same database file
//   (target 0.9).
//
// Data goes to a temporary directory, removed at the end. BENCH_CLI_PII_ROWS, BENCH_CLI_REWRAP_ROWS
// and BENCH_CLI_ROUNDS make it smaller or longer.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createEnvelope, createLocalKeyProvider, formatKekEntry, Keyring } from '@coffer/envelope';
import { hashUserDataBatch, meta } from '@coffer/pii';
import { createSqliteStore } from '@coffer/store-sqlite';
import { createVault } from '@coffer/vault';
import type { BenchContext } from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'packages', 'cli', 'bin', 'coffer.js');
const ROOT = join(here, '..');
const PII_ROWS = Number(process.env.BENCH_CLI_PII_ROWS ?? 1_000_000);
const REWRAP_ROWS = Number(process.env.BENCH_CLI_REWRAP_ROWS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_CLI_ROUNDS ?? 3);

const FIRST = ['john', 'Mary', 'J.O.E', 'anne-marie', 'Ünal', 'li', 'Zoë', 'ahmed'];
const DOMAINS = ['Example.com', 'gmail.com', 'YAHOO.co.uk', 'mail.example.org', 'outlook.com'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Runs the binary; resolves with its wall time in ms, rejects on a non-zero exit. */
function timeCli(args: string[], env: Record<string, string>, stdoutFile: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      writeFileSync(stdoutFile, Buffer.concat(chunks));
      if (code === 0) resolve(ms);
      else reject(new Error(`coffer ${args[0]} exited ${code}: ${stderr.slice(-500)}`));
    });
  });
}

async function benchPiiHash(b: BenchContext, dir: string): Promise<void> {
  const lines = ['email,phone'];
  const records: { email: string; phone: string }[] = [];
  for (let n = 0; n < PII_ROWS; n++) {
    const i = n & 1023;
    const name = `${FIRST[i % FIRST.length]}${i}`;
    const plain = `${name}@${DOMAINS[i % DOMAINS.length]}`;
    const email = i % 3 === 0 ? `  ${plain.toUpperCase()} ` : plain;
    const phone = `+1 (650) 555-${String(n % 10_000).padStart(4, '0')}`;
    records.push({ email, phone });
    lines.push(`${email},"${phone}"`);
  }
  const csv = join(dir, 'customers.csv');
  writeFileSync(csv, `${lines.join('\n')}\n`);
  lines.length = 0;

  const library: number[] = [];
  const cli: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    const results = hashUserDataBatch(records, { profile: meta });
    library.push(performance.now() - started);
    if (results.length !== PII_ROWS || !results.every((r) => r.ok)) throw new Error('batch failed');
    cli.push(
      await timeCli(
        ['pii', 'hash', '--profile', 'meta', '--progress', 'none', csv],
        {},
        join(dir, 'out.csv'),
      ),
    );
  }
  const libraryMs = median(library);
  const cliMs = median(cli);
  b.report({
    name: `cli: pii hash --profile meta, ${PII_ROWS.toLocaleString('en-US')}-row CSV file to file, x hashUserDataBatch in process`,
    value: Number((libraryMs / cliMs).toFixed(4)),
    unit: 'x',
    target: 0.6,
  });
  b.report({
    name: 'cli: pii hash --profile meta throughput (process start, read, parse, hash, write)',
    value: Math.round(PII_ROWS / (cliMs / 1000)),
    unit: 'rows/s',
  });
}

async function benchRewrap(b: BenchContext, dir: string): Promise<void> {
  const k1 = formatKekEntry({ id: 1, status: 'primary' }).expose();
  const k2 = formatKekEntry({ id: 2, status: 'primary' }).expose();
  const keys = `${k2},${k1.slice(1)}`;
  const template = join(dir, 'template.db');
  const seed = createSqliteStore({ filename: template });
  await seed.migrate();
  const sealer = createLocalKeyProvider(Keyring.fromEnv(k1));
  const before = createVault({ store: seed.vault, envelope: createEnvelope({ provider: sealer }) });
  const token = `EAAG${'x'.repeat(252)}`; // 256 B, a Meta CAPI token's size
  for (let n = 0; n < REWRAP_ROWS; n++) {
    await before.put({ kind: 'meta-capi-token', owner: `org_${n % 100}`, value: token });
  }
  await seed.close();

  const library: number[] = [];
  const cli: number[] = [];
  const provider = createLocalKeyProvider(Keyring.fromEnv(keys));
  for (let round = 0; round < ROUNDS; round++) {
    const libraryFile = join(dir, `library-${round}.db`);
    copyFileSync(template, libraryFile);
    const storage = createSqliteStore({ filename: libraryFile });
    const vault = createVault({
      store: storage.vault,
      envelope: createEnvelope({ provider }),
      provider,
    });
    const started = performance.now();
    const result = await vault.rewrapAll();
    library.push(performance.now() - started);
    await storage.close();
    if (result.rewrapped !== REWRAP_ROWS) throw new Error(`library rewrapped ${result.rewrapped}`);

    const cliFile = join(dir, `cli-${round}.db`);
    copyFileSync(template, cliFile);
    cli.push(
      await timeCli(
        ['rewrap', '--db', cliFile, '--progress', 'none', '--json'],
        { COFFER_MASTER_KEYS: keys },
        join(dir, 'rewrap.json'),
      ),
    );
    rmSync(libraryFile, { force: true });
    rmSync(cliFile, { force: true });
  }
  const libraryMs = median(library);
  const cliMs = median(cli);
  b.report({
    name: `cli: rewrap of ${REWRAP_ROWS.toLocaleString('en-US')} SQLite rows, x vault.rewrapAll in process`,
    value: Number((libraryMs / cliMs).toFixed(4)),
    unit: 'x',
    target: 0.9,
  });
  b.report({
    name: 'cli: rewrap throughput on SQLite (process start included)',
    value: Math.round(REWRAP_ROWS / (cliMs / 1000)),
    unit: 'rows/s',
  });
}

/** Builds @coffer/cli and every workspace package it depends on (their dist/ is what BIN runs). */
function buildCli(): void {
  const built = spawnSync('pnpm', ['--filter', '@coffer/cli...', 'run', 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (built.status !== 0)
    throw new Error(`building @coffer/cli failed: ${built.stderr.slice(-800)}`);
}

export default async function (b: BenchContext): Promise<void> {
  buildCli();
  const dir = mkdtempSync(join(tmpdir(), 'coffer-cli-bench-'));
  try {
    await benchPiiHash(b, dir);
    await benchRewrap(b, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
