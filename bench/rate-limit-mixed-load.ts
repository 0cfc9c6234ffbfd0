// The mixed load of issue #22 against Express + SQLite with bcrypt at cost 12: 32 connections,
// each request 80 % a valid key, 15 % a forged well-formed key (a fresh random key_id each time,
// so no per-key_id limit helps) sent from one of 4 client addresses, 5 % garbage. Client
// addresses are real: each connection binds its own loopback address (127.0.0.0/8), so the guard
// keys by the socket's peer, as in production without a proxy. Valid responses per second are
// compared with the same app without authentication, after a warm-up in which the forged
// addresses spend their burst (the steady state an attack settles into; the burst itself costs
// 4 × burst compares once). BENCH_MIXED_SECONDS sets the measured seconds (default 10).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { createApiKeyManager, createBcryptHasher } from '@coffer/api-keys';
import { createSqliteStore } from '@coffer/store-sqlite';
import type { BenchContext } from './harness.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const CONNECTIONS = 32;
const FORGED_ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
const WARMUP_S = 3;
/** The guard's default burst per address: the warm-up waits for this many compares per address. */
const GUARD_BURST = 5;
/** After the bursts' compares are done, a little more before counting. */
const DRAIN_S = 1;
const MAX_WARMUP_S = 40;
const MEASURE_S = Number(process.env.BENCH_MIXED_SECONDS ?? 10);

function forgedKey(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const keyId = Array.from(randomBytes(16), (b) => alphabet[b % 32]).join('');
  const start = `lp_live_${keyId}`;
  const random = randomBytes(28);
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc32(Buffer.concat([Buffer.from(`${start}_`, 'ascii'), random])));
  return `${start}_${Buffer.concat([random, sum]).toString('base64url')}`;
}

interface Server {
  port: number;
  stop(): Promise<{ p50: number; p99: number }>;
}

async function startServer(mode: string, filename: string): Promise<Server> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@coffer/source',
      join(here, 'rate-limit-mixed-load-server.ts'),
      mode,
      filename,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'], cwd: join(here, '..') },
  );
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /port (\d+)\n/.exec(out);
      if (match !== null) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
  });
  return {
    port,
    stop: () =>
      new Promise((resolve) => {
        child.stdout?.on('data', () => {
          const match = /stats (\{.*\})\n/.exec(out);
          if (match !== null) resolve(JSON.parse(match[1] as string));
        });
        child.stdin?.end('stats\n');
      }),
  };
}

interface Counts {
  valid: number;
  validOk: number;
  /** Valid keys answered otherwise (status → count): 503 while not yet cached, 429 would be a bug. */
  validRefused: Record<number, number>;
  forged: Record<number, number>;
  garbage: number;
}

/**
 * Runs the load: a warm-up of at least WARMUP_S, and for a guarded server until every forged
 * address has been refused and its burst's compares have all finished (401s); then MEASURE_S
 * seconds counted.
 */
async function drive(port: number, validKeys: string[], waitForRefusals: boolean) {
  const counts: Counts = { valid: 0, validOk: 0, validRefused: {}, forged: {}, garbage: 0 };
  const forgedAgents = FORGED_ADDRESSES.map(
    (localAddress) => new Agent({ keepAlive: true, maxSockets: CONNECTIONS, localAddress }),
  );
  const started = performance.now();
  const refused = new Set<number>();
  let compared = 0;
  let measureStart = Number.POSITIVE_INFINITY;
  let end = Number.POSITIVE_INFINITY;
  const phase = setInterval(() => {
    const now = performance.now();
    const warm = now - started >= WARMUP_S * 1000;
    const spent =
      !waitForRefusals ||
      (refused.size === FORGED_ADDRESSES.length &&
        compared >= FORGED_ADDRESSES.length * GUARD_BURST);
    if (measureStart === Number.POSITIVE_INFINITY && warm && spent) {
      measureStart = now + (waitForRefusals ? DRAIN_S * 1000 : 0);
      end = measureStart + MEASURE_S * 1000;
    }
    if (now - started > MAX_WARMUP_S * 1000 && measureStart === Number.POSITIVE_INFINITY) {
      measureStart = now;
      end = now + MEASURE_S * 1000;
    }
  }, 50);
  const counting = () => {
    const now = performance.now();
    return now >= measureStart && now < end;
  };
  const worker = async (w: number) => {
    const own = new Agent({ keepAlive: true, maxSockets: 1, localAddress: `127.0.1.${10 + w}` });
    let i = 0;
    while (performance.now() < end) {
      const roll = Math.random();
      const kind = roll < 0.8 ? 'valid' : roll < 0.95 ? 'forged' : 'garbage';
      const key =
        kind === 'valid'
          ? (validKeys[(w + i++) % validKeys.length] as string)
          : kind === 'forged'
            ? forgedKey()
            : `lp_live_${randomBytes(12).toString('hex')}`;
      const forgedIndex = (w + i) % forgedAgents.length;
      const agent = kind === 'forged' ? (forgedAgents[forgedIndex] as Agent) : own;
      const status = await new Promise<number>((resolve) => {
        const req = request(
          { host: '127.0.0.1', port, path: '/v1/whoami', agent, headers: { 'x-api-key': key } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(0));
        req.end();
      });
      if (kind === 'forged' && status === 429) refused.add(forgedIndex);
      if (kind === 'forged' && status === 401) compared += 1;
      if (!counting()) continue;
      if (kind === 'valid') {
        counts.valid += 1;
        if (status === 200) counts.validOk += 1;
        else counts.validRefused[status] = (counts.validRefused[status] ?? 0) + 1;
      } else if (kind === 'forged') {
        counts.forged[status] = (counts.forged[status] ?? 0) + 1;
      } else {
        counts.garbage += 1;
      }
    }
    own.destroy();
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, w) => worker(w)));
  clearInterval(phase);
  for (const agent of forgedAgents) agent.destroy();
  return { counts, warmupS: (measureStart - started) / 1000 };
}

async function measure(mode: string, filename: string, validKeys: string[]) {
  const server = await startServer(mode, filename);
  const { counts, warmupS } = await drive(server.port, validKeys, mode === 'guard');
  const lag = await server.stop();
  return { validPerSecond: counts.validOk / MEASURE_S, counts, lag, warmupS };
}

export async function runMixedLoad(b: BenchContext): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-mixed-load-'));
  const filename = join(dir, 'keys.db');
  try {
    const storage = createSqliteStore({ filename });
    await storage.migrate();
    const hasher = createBcryptHasher(); // cost 12, as the key contract says
    const manager = createApiKeyManager({ store: storage.apiKeys, hasher });
    const validKeys: string[] = [];
    for (let i = 0; i < 8; i++) {
      const minted = await manager.mint({
        organizationId: 'org_bench',
        env: 'live',
        name: `k${i}`,
      });
      validKeys.push(minted.key.expose());
    }
    await hasher.close();
    await storage.close();

    // The baseline before and after the guarded run, averaged: the machine's load drifts.
    const openBefore = await measure('noauth', filename, validKeys);
    const guarded = await measure('guard', filename, validKeys);
    const openAfter = await measure('noauth', filename, validKeys);
    const open = { validPerSecond: (openBefore.validPerSecond + openAfter.validPerSecond) / 2 };
    const bare =
      process.env.BENCH_MIXED_UNGUARDED === '0' ? null : await measure('auth', filename, validKeys);
    const ratio = guarded.validPerSecond / open.validPerSecond;
    const pass = ratio >= 0.8;
    b.report({
      name: `rate-limit: mixed load (80% valid, 15% forged from 4 addresses, 5% garbage; 32 connections; Express + SQLite, bcrypt 12): valid responses/s with the authentication guard vs the app without auth`,
      value: Number(ratio.toFixed(3)),
      unit: 'x',
      target: 0.8,
    });
    console.log(
      `      ${pass ? '' : '(below target) '}no auth ${open.validPerSecond.toFixed(0)}/s, guarded ${guarded.validPerSecond.toFixed(0)}/s` +
        `${bare === null ? '' : `, unguarded ${bare.validPerSecond.toFixed(0)}/s`}; guarded warm-up ${guarded.warmupS.toFixed(1)} s; with the guard: forged ${JSON.stringify(guarded.counts.forged)}, valid refused ${JSON.stringify(guarded.counts.validRefused)}`,
    );
    b.report({
      name: 'rate-limit: mixed load, event-loop delay p99 of the guarded server',
      value: Math.round(guarded.lag.p99 * 10) / 10,
      unit: 'ms',
    });
    if (bare !== null) {
      b.report({
        name: 'rate-limit: mixed load, valid responses/s without the guard vs the app without auth (for comparison)',
        value: Number((bare.validPerSecond / open.validPerSecond).toFixed(3)),
        unit: 'x',
      });
      b.report({
        name: 'rate-limit: mixed load, event-loop delay p99 of the unguarded server',
        value: Math.round(bare.lag.p99 * 10) / 10,
        unit: 'ms',
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
