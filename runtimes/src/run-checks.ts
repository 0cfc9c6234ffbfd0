// `pnpm --filter @coffer/runtimes test` (the `.ci/run` runtimes step): builds this run's fixture on
// Node, runs the shared checks on Node, in workerd (a Workers build, through miniflare), on Bun and
// on Deno (each natively and from the Workers-style bundle), then Node's half of the interop checks
// on every report. Prints per-target counts and ends with `runtimes: N passed, N failed`; with
// `--report=<file>` also writes the counts as JSON for the CI summary. Exits 1 on any failure.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Check,
  type CheckReport,
  type CheckResult,
  equal,
  runGroups,
} from './checks/check.ts';
import { sharedGroups } from './checks/index.ts';
import { bundle, cliTargets, NATIVE, PORTABLE, runCliProcess, workerdFor } from './drive.ts';
import type { InteropFixture } from './fixture.ts';
import { interopChecks } from './interop.ts';
import { makeFixture } from './make-fixture.ts';
import { versions } from './targets.ts';

/** The Worker in workerd: its checks, then requests from Node to its fetch (the Hono middleware). */
async function runWorkerd(
  fixture: InteropFixture,
  script: string,
  runtime: string,
): Promise<CheckReport> {
  const target = 'workerd';
  const mf = workerdFor(script, fixture, target);
  try {
    const res = await mf.dispatchFetch('http://worker.test/__checks', { method: 'POST' });
    if (res.status !== 200)
      throw new Error(`/__checks answered ${res.status}: ${(await res.text()).slice(0, 2000)}`);
    const report = { ...((await res.json()) as CheckReport), runtime };
    const call = async (path: string, headers: Record<string, string>) => {
      // A request the Worker never answers fails the check instead of hanging the run.
      let timer: NodeJS.Timeout | undefined;
      const r = await Promise.race([
        mf.dispatchFetch(`http://worker.test${path}`, { headers }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${path} got no answer in 30 s`)), 30_000);
        }),
      ]).finally(() => clearTimeout(timer));
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
          // The dummy hash the verifier made in the first request serves this later one.
          equal(
            await call('/v1/whoami', { 'x-api-key': keys.unknown }),
            [401, json, 'UNAUTHENTICATED'],
            'unknown key_id, in a later request',
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
      { name: 'workerd', run: (f) => runWorkerd(f, workerScript, v.workerd ?? 'workerd') },
      ...cliTargets(portableScript).map((t) => ({
        name: t.name,
        run: (f: InteropFixture) =>
          runCliProcess<CheckReport>(t.command, [...t.args], {
            target: t.name,
            expect: t.expect,
            fixture: f,
          }),
      })),
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
