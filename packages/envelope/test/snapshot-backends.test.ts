// Processes started from one V8 startup snapshot never share a data key or a wrapping session,
// whichever crypto backend the bundle carries: the node backend, or the noble backend in a bundle
// built without the `node` condition (a Workers bundle, Rollup's defaults), which still runs on
// Node and can still be built into a snapshot. And whether the envelope was used before the
// snapshot (warm-up) or only imported.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex, toHex } from '@coffer/core';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { createEnvelope, createLocalKeyProvider, Keyring } from '../src/index.js';
import { envKey, text } from './_helpers.js';

interface Drawn {
  backend: string;
  /** Hex of a value sealed by the local provider (KEK id "1"). */
  local: string;
  /** Hex of the data key the recording provider was handed. */
  dek: string;
}

const KEYS = `*1:${envKey(0x6d)}`;
const context = { vaultId: 'v_snapshot' };
const entry = fileURLToPath(new URL('./fixtures/snapshot-any-backend-entry.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'coffer-snapshot-backends-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Seed and counter of a locally wrapped data key, and the payload. */
function partsOf(hex: string): { session: string; counter: string; payload: string } {
  const sealed = fromHex(hex);
  expect([...sealed.subarray(0, 6)]).toEqual([1, 1, 1, 0x31, 0, 72]);
  return {
    session: toHex(sealed.subarray(6, 26)),
    counter: toHex(sealed.subarray(26, 30)),
    payload: toHex(sealed.subarray(6 + 72)),
  };
}

async function bundle(backend: 'node' | 'noble'): Promise<string> {
  const outfile = join(dir, `entry-${backend}.cjs`);
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'cjs',
    target: 'node20',
    conditions: ['@coffer/source'],
    outfile,
    logLevel: 'silent',
    // Without the `node` condition core's `#crypto` import resolves to the noble backend; the
    // entry's own node:v8 import stays a require of the built-in.
    ...(backend === 'node'
      ? { platform: 'node' as const }
      : { platform: 'neutral' as const, mainFields: ['module', 'main'], external: ['node:*'] }),
  });
  return outfile;
}

/** The last JSON line each run printed: the build (when it warms up), then two processes. */
function runs(script: string, name: string, warmUp: boolean): Drawn[] {
  const blob = join(dir, `${name}.blob`);
  const env = { ...process.env, SNAPSHOT_TEST_KEYS: KEYS, SNAPSHOT_WARM_UP: warmUp ? '1' : '0' };
  const options = { cwd: dir, env, timeout: 60_000 };
  const last = (out: Buffer): Drawn => {
    const lines = out.toString('utf8').trim().split('\n');
    return JSON.parse(lines[lines.length - 1] ?? '') as Drawn;
  };
  const built = execFileSync(
    process.execPath,
    ['--snapshot-blob', blob, '--build-snapshot', script],
    options,
  );
  const drawn = [
    last(execFileSync(process.execPath, ['--snapshot-blob', blob], options)),
    last(execFileSync(process.execPath, ['--snapshot-blob', blob], options)),
  ];
  return warmUp ? [last(built), ...drawn] : drawn;
}

describe.each(['node', 'noble'] as const)(
  'a startup snapshot of a %s-backend bundle',
  (backend) => {
    it.each([
      ['used before the snapshot', true],
      ['imported but unused', false],
    ])(
      '%s: every process draws its own data key and wrapping session',
      async (name, warmUp) => {
        const script = await bundle(backend);
        const drawn = runs(script, `${backend}-${warmUp ? 'warm' : 'cold'}`, warmUp);
        expect(drawn.map((d) => d.backend)).toEqual(drawn.map(() => backend));
        for (const d of drawn) expect(d.dek, name).toMatch(/^[0-9a-f]{64}$/);
        expect(new Set(drawn.map((d) => d.dek)).size).toBe(drawn.length);
        const parts = drawn.map((d) => partsOf(d.local));
        expect(new Set(parts.map((p) => p.session)).size).toBe(drawn.length);
        expect(new Set(parts.map((p) => p.payload)).size).toBe(drawn.length);
        // Each process started from the snapshot began its own session at counter 0.
        expect(parts.slice(-2).map((p) => p.counter)).toEqual(['00000000', '00000000']);
        const envelope = createEnvelope({
          provider: createLocalKeyProvider(Keyring.fromEnv(KEYS)),
        });
        for (const d of drawn) {
          expect(text(await envelope.open(fromHex(d.local), { context }))).toBe(
            'the same plaintext in every process',
          );
        }
      },
      120_000,
    );
  },
);
