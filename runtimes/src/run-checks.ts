// `pnpm --filter @coffer/runtimes test` (the `.ci/run` runtimes step): builds this run's fixture on
// Node, runs the shared checks on Node, in workerd (a Workers build, through miniflare), on Bun and
// on Deno (each natively and from the Workers-style bundle), then Node's half of the interop checks
// on every report. Prints per-target counts and ends with `runtimes: N passed, N failed`; with
// `--report=<file>` also writes the counts as JSON for the CI summary. Exits 1 on any failure.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import {
  type Check,
  type CheckReport,
  type CheckResult,
  equal,
  runGroups,
  type TargetExpectations,
} from './checks/check.ts';
import { sharedGroups } from './checks/index.ts';
import { type CliJob, REPORT_MARKER } from './entries/cli-io.ts';
import type { InteropFixture } from './fixture.ts';
import { interopChecks } from './interop.ts';
import { makeFixture } from './make-fixture.ts';
import {
  bunBinary,
  COMPATIBILITY_DATE,
  denoBinary,
  runtimesDir,
  versions,
  workersBuild,
} from './targets.ts';

const NATIVE: TargetExpectations = { cryptoBackend: 'node', workerThreads: true };
const PORTABLE: TargetExpectations = { cryptoBackend: 'noble', workerThreads: false };
const TIMEOUT_MS = 180_000;

/** Bundles `entry` the way a Workers build would; returns the file written. */
async function bundle(entry: string, outDir: string, name: string): Promise<string> {
  const result = await build(workersBuild(join(runtimesDir, entry)));
  const js = result.outputFiles?.[0]?.text;
  if (js === undefined) throw new Error(`esbuild wrote nothing for ${entry}`);
  const file = join(outDir, `${name}.mjs`);
  writeFileSync(file, js);
  return file;
}

/** Runs a Bun or Deno harness: the job on stdin, the report from the marked stdout line. */
function runCliTarget(command: string, args: string[], job: CliJob): Promise<CheckReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: runtimesDir, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(REPORT_MARKER));
      if (line === undefined) {
        reject(
          new Error(
            `${job.target} exited ${code} without a report:\n${(stderr || stdout).slice(-3000)}`,
          ),
        );
        return;
      }
      resolve(JSON.parse(line.slice(REPORT_MARKER.length)) as CheckReport);
    });
    // A harness that dies at start-up closes stdin early: the exit code and stderr tell why.
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(job));
  });
}

/** The Worker in workerd: its checks, then requests from Node to its fetch (the Hono middleware). */
async function runWorkerd(fixture: InteropFixture, script: string): Promise<CheckReport> {
  const target = 'workerd';
  const mf = new Miniflare({
    modules: true,
    script: readFileSync(script, 'utf8'),
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { FIXTURE: fixture, TARGET: target, EXPECT: PORTABLE },
  });
  try {
    const res = await mf.dispatchFetch('http://worker.test/__checks', { method: 'POST' });
    if (res.status !== 200)
      throw new Error(`/__checks answered ${res.status}: ${(await res.text()).slice(0, 2000)}`);
    const report = (await res.json()) as CheckReport;
    const call = async (path: string, headers: Record<string, string>) => {
      const r = await mf.dispatchFetch(`http://worker.test${path}`, { headers });
      const body = (await r.json()) as { organizationId?: string; error?: { code: string } };
      return [
        r.status,
        r.headers.get('content-type')?.split(';')[0],
        body.organizationId ?? body.error?.code,
      ];
    };
    const keys = fixture.apiKeys.keys;
    const json = 'application/json';
    const fetchChecks: Check[] = [
      {
        name: "requests through the Worker's fetch reach honoApiKeyAuth (200, 401, 403, 503)",
        run: async () => {
          equal(
            await call('/v1/whoami', { 'x-api-key': keys.valid }),
            [200, json, fixture.apiKeys.validOrganizationId],
            'valid key',
          );
          equal(await call('/v1/whoami', {}), [401, json, 'UNAUTHENTICATED'], 'no key');
          equal(
            await call('/v1/whoami', { 'x-api-key': keys.revoked }),
            [401, json, 'REVOKED'],
            'revoked',
          );
          equal(
            await call('/v1/admin', { 'x-api-key': keys.valid }),
            [403, json, 'FORBIDDEN_SCOPE'],
            'scope',
          );
          equal(
            await call('/v1/whoami', { 'x-api-key': keys.inKilledOrganization }),
            [503, json, 'KILL_SWITCH'],
            'killed organization',
          );
          const concurrent = await Promise.all(
            Array.from({ length: 8 }, () => call('/v1/whoami', { 'x-api-key': keys.valid })),
          );
          equal(
            concurrent.map((c) => c[0]),
            Array(8).fill(200),
            'eight concurrent requests',
          );
        },
      },
    ];
    const extra = await runGroups(
      [{ name: 'worker fetch (from Node)', checks: fetchChecks }],
      { target, expect: PORTABLE, fixture },
      report.runtime,
    );
    return { ...report, results: [...report.results, ...extra.results] };
  } finally {
    await mf.dispose();
  }
}

interface TargetSpec {
  readonly name: string;
  run(fixture: InteropFixture): Promise<CheckReport>;
}

async function main(): Promise<void> {
  const reportFile = process.argv.find((a) => a.startsWith('--report='))?.slice('--report='.length);
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const started = Date.now();
  const v = versions();
  console.log(
    `runtimes: ${Object.entries(v)
      .map(([k, x]) => `${k} ${x.replace(new RegExp(`^${k} `), '')}`)
      .join(', ')}`,
  );
  const fixture = await makeFixture();
  const outDir = mkdtempSync(join(tmpdir(), 'coffer-runtimes-'));
  try {
    const workerScript = await bundle('src/entries/worker.ts', outDir, 'worker');
    const portableScript = await bundle('src/entries/portable.ts', outDir, 'portable');
    const deno = denoBinary();
    const bun = bunBinary();
    // Deno's permissions, as narrow as the checks allow: read the repository, write temporary
    // SQLite files, listen on and call 127.0.0.1 (the Express example).
    const denoFlags = [
      'run',
      '--no-lock',
      '--no-prompt',
      '--allow-read',
      `--allow-write=${tmpdir()}`,
      '--allow-env',
      '--allow-net=127.0.0.1',
      '--allow-sys',
    ];
    const targets: TargetSpec[] = [
      {
        name: 'node',
        run: (f) =>
          runGroups(
            sharedGroups,
            { target: 'node', expect: NATIVE, fixture: f },
            `node ${process.version}`,
          ),
      },
      { name: 'workerd', run: (f) => runWorkerd(f, workerScript) },
      {
        name: 'bun',
        run: (f) =>
          runCliTarget(bun, ['--conditions=@coffer/source', 'src/entries/bun.ts'], {
            target: 'bun',
            expect: NATIVE,
            fixture: f,
          }),
      },
      {
        name: 'bun (Workers bundle)',
        run: (f) =>
          runCliTarget(bun, [portableScript], {
            target: 'bun (Workers bundle)',
            expect: PORTABLE,
            fixture: f,
          }),
      },
      {
        name: 'deno',
        run: (f) =>
          runCliTarget(
            deno,
            [
              ...denoFlags,
              '--sloppy-imports',
              '--conditions=@coffer/source',
              'src/entries/deno.ts',
            ],
            { target: 'deno', expect: NATIVE, fixture: f },
          ),
      },
      {
        name: 'deno (Workers bundle)',
        run: (f) =>
          runCliTarget(deno, [...denoFlags, portableScript], {
            target: 'deno (Workers bundle)',
            expect: PORTABLE,
            fixture: f,
          }),
      },
    ];
    const totals: Record<string, { passed: number; failed: number; runtime: string }> = {};
    let passed = 0;
    let failed = 0;
    for (const t of targets.filter(
      (x) => only.length === 0 || only.some((o) => x.name.startsWith(o)),
    )) {
      const t0 = Date.now();
      let results: CheckResult[];
      let runtime = t.name;
      try {
        const report = await t.run(fixture);
        runtime = report.runtime;
        const interop = t.name === 'node' ? [] : interopChecks(fixture, report);
        const back = await runGroups(
          [{ name: 'interop (on Node)', checks: interop }],
          { target: t.name, expect: NATIVE, fixture },
          'node',
        );
        results = [...report.results, ...back.results];
      } catch (error) {
        results = [
          {
            group: 'harness',
            name: `run ${t.name}`,
            ok: false,
            error: error instanceof Error ? error.message : String(error),
            ms: Date.now() - t0,
          },
        ];
      }
      const p = results.filter((r) => r.ok).length;
      const f = results.length - p;
      passed += p;
      failed += f;
      totals[t.name] = { passed: p, failed: f, runtime };
      console.log(
        `${f === 0 ? 'ok  ' : 'FAIL'} ${t.name} [${runtime}]: ${p} passed, ${f} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
      );
      for (const r of results.filter((x) => !x.ok))
        console.log(
          `       ✗ ${r.group} › ${r.name}\n         ${r.error?.split('\n').join('\n         ')}`,
        );
      if (process.env.COFFER_RUNTIMES_VERBOSE)
        for (const r of results.filter((x) => x.ok))
          console.log(`       ✓ ${r.group} › ${r.name} (${r.ms} ms)`);
    }
    const seconds = (Date.now() - started) / 1000;
    if (reportFile !== undefined) {
      writeFileSync(
        reportFile,
        `${JSON.stringify({ versions: v, targets: totals, passed, failed, seconds }, null, 2)}\n`,
      );
    }
    console.log(`runtimes: ${passed} passed, ${failed} failed (${seconds.toFixed(1)} s)`);
    process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

await main();
