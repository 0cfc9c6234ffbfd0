// better-sqlite3 installed without its native addon (pnpm 10 skips its install script unless
// allowed; npm with --ignore-scripts) or with one built for another Node.js: the store says so and
// how to build it, instead of blaming the file path. better-sqlite3 loads the addon lazily in its
// constructor through the `bindings` package; the stand-in below does the same from a package
// directory that has no build, so the error is the loader's own. (The packed-tarball smoke test,
// scripts/smoke-packed.mjs, meets the real thing: it installs with --ignore-scripts first.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCofferError } from '@coffer/core';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSqliteStore, SqliteBindingError } from '../src/index.js';

const unbuilt = mkdtempSync(join(tmpdir(), 'coffer-sqlite-unbuilt-'));
writeFileSync(join(unbuilt, 'package.json'), '{"name":"better-sqlite3","version":"0.0.0"}');
afterAll(() => rmSync(unbuilt, { recursive: true, force: true }));

const driver = vi.hoisted(() => ({ failure: (): never => undefined as never }));

vi.mock('better-sqlite3', () => ({
  default: function Database(): never {
    return driver.failure();
  },
}));

// The `bindings` package better-sqlite3 itself uses, reached through better-sqlite3's own require.
const requireFromDriver = createRequire(
  createRequire(import.meta.url).resolve('better-sqlite3/package.json'),
);
const bindings = requireFromDriver('bindings') as (options: {
  bindings: string;
  module_root: string;
}) => unknown;

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('better-sqlite3 without a usable native addon', () => {
  const filename = join(unbuilt, 'data', 'app.db');

  beforeEach(() => {
    driver.failure = () => {
      bindings({ bindings: 'better_sqlite3.node', module_root: unbuilt });
      throw new Error('unreachable: the addon was found');
    };
  });

  it('an addon that was never built: STORE_DRIVER_UNAVAILABLE naming pnpm approve-builds, onlyBuiltDependencies and npm rebuild', () => {
    const caught = errorOf(() => createSqliteStore({ filename }));
    expect(caught).toBeInstanceOf(SqliteBindingError);
    expect(isCofferError(caught, 'STORE_DRIVER_UNAVAILABLE')).toBe(true);
    const err = caught as SqliteBindingError;
    expect(err.status).toBe(500);
    expect(err.details).toEqual({ driver: 'better-sqlite3', problem: 'not-built' });
    expect(err.message).toContain('native addon is not built');
    expect(err.message).toContain('pnpm approve-builds');
    expect(err.message).toContain('onlyBuiltDependencies');
    expect(err.message).toContain('npm rebuild better-sqlite3');
    // Not the old message that blamed the path.
    expect(err.message).not.toContain('directory');
    expect((err.cause as Error).message).toMatch(/^Could not locate the bindings file/);
  });

  it('an addon built for another Node.js: says so, with both ABI numbers, and how to rebuild', () => {
    driver.failure = () => {
      const error = new Error(
        `The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 137. This version of Node.js requires\nNODE_MODULE_VERSION 115. Please try re-compiling or re-installing\nthe module (for instance, using \`npm rebuild\` or \`npm install\`).`,
      );
      throw Object.assign(error, { code: 'ERR_DLOPEN_FAILED' });
    };
    const err = errorOf(() => createSqliteStore({ filename })) as SqliteBindingError;
    expect(err.code).toBe('STORE_DRIVER_UNAVAILABLE');
    expect(err.details).toEqual({ driver: 'better-sqlite3', problem: 'wrong-node-version' });
    expect(err.message).toContain(
      'built for another Node.js version (built for NODE_MODULE_VERSION 137, this Node.js needs 115)',
    );
    expect(err.message).toContain('npm rebuild better-sqlite3');
    expect(err.message).not.toContain('/app/node_modules');
  });

  it('an addon that does not load on this machine: load-failed', () => {
    driver.failure = () => {
      throw Object.assign(
        new Error('/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38` not found'),
        {
          code: 'ERR_DLOPEN_FAILED',
        },
      );
    };
    const err = errorOf(() => createSqliteStore({ filename })) as SqliteBindingError;
    expect(err.details).toEqual({ driver: 'better-sqlite3', problem: 'load-failed' });
    expect(err.message).not.toContain('GLIBC');
  });

  it('any other constructor failure is still STORE_OPEN_FAILED about the file', () => {
    driver.failure = () => {
      throw Object.assign(new Error('unable to open database file'), { code: 'SQLITE_CANTOPEN' });
    };
    const caught = errorOf(() => createSqliteStore({ filename }));
    expect(isCofferError(caught, 'STORE_OPEN_FAILED')).toBe(true);
  });
});
