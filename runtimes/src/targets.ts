// The runtimes under test: where their binaries are (inside the npm packages pnpm installed; nothing
// is downloaded at run time) and how a user's build bundles coffer for each.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

export const runtimesDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = join(runtimesDir, '..');
const require = createRequire(join(runtimesDir, 'package.json'));

/** The platform package of `pkg` (e.g. `@oven/bun-linux-x64`), resolved from `pkg` itself. */
function platformBinary(pkg: string, candidates: Record<string, string>, file: string): string {
  const key = `${process.platform}-${process.arch}`;
  const platformPkg = candidates[key];
  if (platformPkg === undefined) throw new Error(`${pkg}: no binary package for ${key}`);
  const from = createRequire(require.resolve(`${pkg}/package.json`));
  const path = join(dirname(from.resolve(`${platformPkg}/package.json`)), file);
  if (!existsSync(path))
    throw new Error(`${pkg}: ${path} is missing (was ${platformPkg} installed?)`);
  return path;
}

/** Bun's binary from `@oven/bun-<platform>` (the `bun` package's postinstall is not needed). */
export function bunBinary(): string {
  return platformBinary(
    'bun',
    {
      'linux-x64': '@oven/bun-linux-x64',
      'linux-arm64': '@oven/bun-linux-aarch64',
      'darwin-x64': '@oven/bun-darwin-x64',
      'darwin-arm64': '@oven/bun-darwin-aarch64',
    },
    'bin/bun',
  );
}

/** Deno's binary from `@deno/<platform>`. */
export function denoBinary(): string {
  return platformBinary(
    'deno',
    {
      'linux-x64': '@deno/linux-x64-glibc',
      'linux-arm64': '@deno/linux-arm64-glibc',
      'darwin-x64': '@deno/darwin-x64',
      'darwin-arm64': '@deno/darwin-arm64',
    },
    'deno',
  );
}

/** `bun 1.4.5`, `deno 2.9.6`, `workerd 1.20260730.1 (miniflare 4.…)`. */
export function versions(): Record<string, string> {
  const version = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version;
  const miniflareRequire = createRequire(require.resolve('miniflare/package.json'));
  const workerd = (miniflareRequire('workerd/package.json') as { version: string }).version;
  return {
    node: process.version,
    bun: execFileSync(bunBinary(), ['--version'], { encoding: 'utf8' }).trim(),
    deno:
      /deno (\S+)/.exec(execFileSync(denoBinary(), ['--version'], { encoding: 'utf8' }))?.[1] ??
      '?',
    workerd: `${workerd} (miniflare ${version('miniflare')})`,
    esbuild: version('esbuild'),
  };
}

/**
 * How a Workers build bundles (wrangler's esbuild settings: ES modules, es2022, the `workerd`,
 * `worker` and `browser` conditions, browser platform so `browser` maps apply), without
 * `nodejs_compat`: any Node built-in fails the build. `@coffer/source` makes the workspace packages
 * resolve to their TypeScript sources, the way the tests do; a user's build gets `dist/`.
 */
export function workersBuild(entry: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser', '@coffer/source'],
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: runtimesDir,
  };
}

/** The Workers compatibility date the Worker runs with (no compatibility flags). */
export const COMPATIBILITY_DATE = '2026-07-01';
