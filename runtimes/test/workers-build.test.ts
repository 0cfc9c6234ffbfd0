// Every package that claims to run outside Node bundles the way a Workers build does (esbuild with
// the workerd/worker/browser conditions, no nodejs_compat) without one Node built-in, and picks the
// portable code paths (noble, bcrypt inline). The runtime harness (`pnpm --filter @coffer/runtimes
// test`, a .ci/run step) then runs the bundle in workerd itself.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { runtimesDir, workersBuild } from '../src/targets.ts';

const PORTABLE = ['core', 'envelope', 'vault', 'pii', 'api-keys'] as const;

async function bundleOf(source: string) {
  const { entryPoints: _unused, ...options } = workersBuild('unused');
  return build({
    ...options,
    stdin: { contents: source, resolveDir: runtimesDir, loader: 'ts' },
  });
}

describe('the Workers build (no nodejs_compat)', () => {
  it.each(PORTABLE)('@coffer/%s bundles without a Node built-in', async (name) => {
    const result = await bundleOf(`export * from '@coffer/${name}';`);
    const inputs = Object.keys(result.metafile?.inputs ?? {});
    expect(inputs.some((input) => input.includes(`packages/${name}/src/`))).toBe(true);
    expect(
      inputs.filter(
        (input) =>
          input.startsWith('node:') ||
          input.includes('_crypto-node') ||
          input.includes('_platform-node'),
      ),
    ).toEqual([]);
  });

  it('pulls in the portable backends: noble, and bcrypt without worker threads', async () => {
    const result = await bundleOf(
      "export * from '@coffer/core'; export * from '@coffer/api-keys';",
    );
    const inputs = Object.keys(result.metafile?.inputs ?? {});
    expect(inputs.some((input) => input.endsWith('packages/core/src/_crypto-noble.ts'))).toBe(true);
    expect(
      inputs.some((input) => input.endsWith('packages/api-keys/src/_platform-portable.ts')),
    ).toBe(true);
    expect(inputs.some((input) => input.endsWith('packages/api-keys/src/worker-pool.ts'))).toBe(
      false,
    );
  });

  it('fails, naming the module, when something imports a Node built-in', async () => {
    await expect(
      bundleOf("import { cpus } from 'node:os'; export const n = cpus().length;"),
    ).rejects.toThrow(/node:os/);
  });
});
