// A real V8 startup snapshot: `node --build-snapshot` runs an entry that has already sealed (so the
// random pool and a wrapping session exist), then two processes start from the snapshot and seal
// again. They must draw different data keys and different wrapping sessions: a shared session
// would mean the same (wrapping key, nonce) twice, and a shared data key the same keystream twice.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { concatBytes, fromHex, hmacSha256, toHex, utf8Encode } from '@coffer/core';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, createLocalKeyProvider, Keyring } from '../src/index.js';
import { envKey, testKey, text } from './_helpers.js';

interface Drawn {
  /** Hex of a value sealed by the local provider (KEK id "1"). */
  local: string;
  /** Hex of the data key the KMS-style provider was handed. */
  dek: string;
}

const KEK = testKey(0x5e);
const KEYS = `*1:${envKey(0x5e)}`;
const context = { vaultId: 'v_snapshot' };
const entry = fileURLToPath(new URL('./fixtures/snapshot-entry.ts', import.meta.url));
const portableEntry = fileURLToPath(new URL('./fixtures/portable-entry.ts', import.meta.url));

let dir = '';
let blob = '';
let warmUp: Drawn;
let first: Drawn;
let second: Drawn;

/** Seed, counter and payload of a value sealed by the local provider under KEK id "1". */
function partsOf(hex: string): { seed: string; counter: string; payload: string } {
  const sealed = fromHex(hex);
  // version, algorithm, id length, "1", wrapped length (2), then seed 20 | counter 4 | 48 | payload
  expect([...sealed.subarray(0, 6)]).toEqual([1, 1, 1, 0x31, 0, 72]);
  return {
    seed: toHex(sealed.subarray(6, 26)),
    counter: toHex(sealed.subarray(26, 30)),
    payload: toHex(sealed.subarray(6 + 72)),
  };
}

function lastLine(output: Buffer): Drawn {
  const lines = output.toString('utf8').trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as Drawn;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'coffer-snapshot-'));
  const bundle = join(dir, 'entry.cjs');
  blob = join(dir, 'snapshot.blob');
  // A startup snapshot's entry may only require Node's built-ins: bundle the sources into one file.
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    conditions: ['@coffer/source'],
    outfile: bundle,
    logLevel: 'silent',
  });
  const env = { ...process.env, SNAPSHOT_TEST_KEYS: KEYS };
  const options = { cwd: dir, env, timeout: 60_000 };
  warmUp = lastLine(
    execFileSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', bundle], options),
  );
  first = lastLine(execFileSync(process.execPath, ['--snapshot-blob', blob], options));
  second = lastLine(execFileSync(process.execPath, ['--snapshot-blob', blob], options));
}, 120_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('processes started from one startup snapshot', () => {
  it('draw different data keys (none left over from the pool in the snapshot)', () => {
    expect(first.dek).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set([warmUp.dek, first.dek, second.dek]).size).toBe(3);
    const payloads = [warmUp, first, second].map((d) => partsOf(d.local).payload);
    expect(new Set(payloads).size).toBe(3);
  });

  it('wrap under different sessions: a new seed each, so no (wrapping key, nonce) repeats', () => {
    const [w, a, b] = [warmUp, first, second].map((d) => partsOf(d.local));
    expect(new Set([w?.seed, a?.seed, b?.seed]).size).toBe(3);
    // Each process started its own session (counter 0), rather than continuing the warm-up's.
    expect([a?.counter, b?.counter]).toEqual(['00000000', '00000000']);
  });

  it('still seal values that open here', async () => {
    const envelope = createEnvelope({ provider: createLocalKeyProvider(Keyring.fromEnv(KEYS)) });
    for (const drawn of [warmUp, first, second]) {
      expect(text(await envelope.open(fromHex(drawn.local), { context }))).toBe(
        'the same plaintext in every process',
      );
    }
  });

  it('leave no wrapping key of the warm-up session in the snapshot file', () => {
    // The session key is HMAC-SHA-256(KEK, label || 0 || len(id) || id || seed || 1); it was zeroed
    // before the snapshot was written.
    const seed = fromHex(partsOf(warmUp.local).seed);
    const info = concatBytes(
      utf8Encode('coffer/envelope/v1/local-wrap'),
      new Uint8Array([0, 1]),
      utf8Encode('1'),
      seed,
      new Uint8Array([1]),
    );
    const sessionKey = Buffer.from(hmacSha256(KEK, info));
    expect(readFileSync(blob).includes(sessionKey)).toBe(false);
  });
});

describe('the snapshot hook outside Node', () => {
  it('keeps node:v8 out of a bundle for a runtime without Node built-ins, which still seals', async () => {
    const out = join(dir, 'portable.mjs');
    await build({
      entryPoints: [portableEntry],
      bundle: true,
      platform: 'neutral',
      format: 'esm',
      target: 'es2022',
      mainFields: ['module', 'main'],
      conditions: ['@coffer/source'],
      outfile: out,
      logLevel: 'silent',
    });
    const code = readFileSync(out, 'utf8');
    // No import or require of a Node built-in (comments may still name them).
    expect(code).not.toMatch(/(from|import|require)\s*\(?\s*["'](node:|v8["']|crypto["'])/);
    const result = JSON.parse(execFileSync(process.execPath, [out], { cwd: dir }).toString('utf8'));
    expect(result).toEqual({ backend: 'noble', opened: 'portable', cleared: false });
  }, 60_000);
});
