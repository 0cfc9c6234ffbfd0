// `pnpm --filter @coffer/runtimes bench` (and `pnpm bench runtimes`, through bench/runtimes.bench.ts):
// each runtime measures envelope seal+open 256 B and PII e-mail hashing against its own Web Crypto,
// and the two core primitives under them. Node measures bench/core.bench.ts's noble figures (noble
// vs node:crypto) in the same run, and each runtime's noble primitives are held to half of those
// (nobleTarget). Ratios only; nothing here gates CI.
import { createCipheriv, createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nobleBackend from '../../packages/core/src/_crypto-noble.ts';
import { type BenchReport, runBench } from './bench/bench-cases.ts';
import { compare, type RoundOptions } from './bench/measure.ts';
import { bundle, cliTargets, PORTABLE, runCliProcess, workerdFor } from './drive.ts';
import { makeFixture } from './make-fixture.ts';
import { versions } from './targets.ts';

/** bench/core.bench.ts's floor for the noble backend (TARGET.noble): the runtimes are held to it. */
export const NOBLE_FLOOR = 0.02;

/** One figure as the bench harness records it. */
export interface RuntimeFigure {
  readonly name: string;
  readonly value: number;
  readonly target?: number;
  readonly detail: string;
}

function roundOptions(): RoundOptions {
  return {
    rounds: Number(process.env.BENCH_ROUNDS ?? 7),
    roundMs: Number(process.env.BENCH_ROUND_MS ?? 200),
  };
}

/** Runs every runtime's bench; `onFigure` receives each figure as it comes. */
export async function runRuntimeBench(onFigure: (figure: RuntimeFigure) => void): Promise<void> {
  const options = roundOptions();
  const v = versions();
  const fixture = await makeFixture();
  const outDir = mkdtempSync(join(tmpdir(), 'coffer-runtimes-bench-'));
  try {
    const workerScript = await bundle('src/entries/worker.ts', outDir, 'worker');
    const portableScript = await bundle('src/entries/portable.ts', outDir, 'portable');

    // The core bench's noble figures on Node, measured now (noble vs node:crypto, 256 B).
    const key = new Uint8Array(32).fill(1);
    const nonce = new Uint8Array(12).fill(2);
    const data = new Uint8Array(256).fill(3);
    const nodeGcm = await compare(
      () => {
        const c = createCipheriv('aes-256-gcm', key, nonce);
        return Buffer.concat([c.update(data), c.final(), c.getAuthTag()]);
      },
      () => nobleBackend.aes256GcmSeal(key, nonce, data, new Uint8Array(0), 0),
      options,
    );
    const nodeSha = await compare(
      () => createHash('sha256').update(data).digest(),
      () => nobleBackend.sha256(data),
      options,
    );
    const reference = `core bench on Node ${process.version} in this run: aes-256-gcm seal 256 B (noble) ${nodeGcm.ratio.toFixed(3)}x, sha256 256 B (noble) ${nodeSha.ratio.toFixed(3)}x node:crypto`;
    onFigure({
      name: 'runtimes: core aes-256-gcm seal 256 B (noble) vs node:crypto, on Node',
      value: round4(nodeGcm.ratio),
      target: NOBLE_FLOOR,
      detail: 'the core bench figure, for reference',
    });
    onFigure({
      name: 'runtimes: core sha256 256 B (noble) vs node:crypto, on Node',
      value: round4(nodeSha.ratio),
      target: NOBLE_FLOOR,
      detail: 'the core bench figure, for reference',
    });

    const node = process.execPath;
    const runs: Array<{ name: string; run: () => Promise<BenchReport> }> = [
      { name: 'node', run: () => runBench(`node ${process.version}`, options) },
      {
        name: 'node (Workers bundle)',
        run: () =>
          runCliProcess<BenchReport>(node, [portableScript], {
            target: 'node (Workers bundle)',
            expect: PORTABLE,
            fixture,
            bench: options,
          }),
      },
      {
        name: 'workerd',
        run: async () => {
          const mf = await workerdFor(workerScript, fixture, `workerd ${v.workerd}`);
          try {
            const res = await mf.dispatchFetch(
              `http://worker.test/__bench?rounds=${options.rounds}&roundMs=${options.roundMs}`,
            );
            if (res.status !== 200)
              throw new Error(
                `/__bench answered ${res.status}: ${(await res.text()).slice(0, 2000)}`,
              );
            return (await res.json()) as BenchReport;
          } finally {
            await mf.dispose();
          }
        },
      },
      ...cliTargets(portableScript).map((t) => ({
        name: t.name,
        run: () =>
          runCliProcess<BenchReport>(t.command, [...t.args], {
            target: t.name,
            expect: t.expect,
            fixture,
            bench: options,
          }),
      })),
    ];
    // Each runtime's noble primitives against its own fastest crypto are held to the core bench's
    // figures for noble on Node (noble vs node:crypto), measured above in this run: at least half
    // of them (the baselines differ by runtime, and figures move by tens of percent between rounds
    // on a shared machine). Envelope and PII figures are reported, not judged: their baseline is
    // each runtime's Web Crypto, whose speed differs between runtimes by an order of magnitude.
    const nobleOnNode: Record<string, number> = {
      'core: aes-256-gcm seal 256 B (noble)': nodeGcm.ratio,
      'core: sha256 256 B (noble)': nodeSha.ratio,
    };
    for (const r of runs) {
      const report = await r.run();
      const noble = report.cryptoBackend === 'noble';
      for (const f of report.figures) {
        const onNode = noble ? nobleOnNode[f.name] : undefined;
        const target = onNode === undefined ? undefined : nobleTarget(onNode);
        onFigure({
          name: `runtimes: ${f.name} vs ${f.baseline}, on ${r.name}`,
          value: round4(f.ratio),
          ...(target === undefined ? {} : { target }),
          detail: `${report.runtime}, backend ${report.cryptoBackend}: ${fmt(f.subjectOpsPerSec)} op/s vs ${fmt(f.baselineOpsPerSec)} op/s${noble ? `; ${reference}` : ''}`,
        });
      }
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * What a runtime's noble primitive must reach: half of the same primitive's ratio for noble on Node
 * (vs node:crypto) in this run, never below the core bench's noble floor.
 */
function nobleTarget(onNode: number): number {
  return round4(Math.max(NOBLE_FLOOR, onNode / 2));
}

const round4 = (n: number): number => Number(n.toFixed(4));
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

// Run directly: print the figures.
if (process.argv[1]?.endsWith('run-bench.ts')) {
  console.log(`runtime bench: ${JSON.stringify(versions())}`);
  let missed = 0;
  await runRuntimeBench((f) => {
    const pass = f.target === undefined ? undefined : f.value >= f.target;
    if (pass === false) missed++;
    console.log(
      `${pass === undefined ? 'INFO' : pass ? 'PASS' : 'MISS'}  ${f.name}: ${f.value.toFixed(3)}x${f.target === undefined ? '' : ` (target ≥ ${f.target})`}\n      ${f.detail}`,
    );
  });
  console.log(missed === 0 ? 'every target met' : `${missed} target(s) missed`);
}
