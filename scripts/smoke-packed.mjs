// The packed-tarball smoke test: coffer as a user outside this repository gets it. Packs every
// package (`pnpm pack`, after `pnpm build`), installs the tarballs into a fresh app in a temporary
// directory with npm (no workspace links; third-party packages from the registry), compiles the app
// with tsc under `moduleResolution` `nodenext` and `bundler`, and runs it three ways: as ESM, through
// `require()` from a `.cjs` file, and as a single-file esbuild bundle run from a directory holding
// only the native better-sqlite3. The app copies the shapes of the README quick-start blocks: the
// vault on SQLite (in a folder that does not exist yet), on PostgreSQL and on MySQL / MariaDB, an own
// Kysely `Migrator` with coffer's provider, API keys behind Express, PII hashing. Before better-sqlite3's addon is
// built it checks that the store says so (STORE_DRIVER_UNAVAILABLE).
//
//   node scripts/smoke-packed.mjs [--kysely 0.28|0.29] [--report file.json] [--keep]
//
// kysely: 0.29 on Node >= 22 and 0.28 on Node 20 unless given (what `npm install kysely` picks
// there); COFFER_SMOKE_KYSELY overrides too. PostgreSQL: COFFER_TEST_PG_URL, else
// postgres://postgres@127.0.0.1:5432/postgres (a schema of its own, dropped afterwards). MySQL /
// MariaDB: COFFER_TEST_MYSQL_URL, else mysql://root@127.0.0.1:3306/ (a database of its own, dropped
// afterwards).
// better-sqlite3 is compiled from source once per version and Node.js version (no prebuilt
// downloads), against the headers in `npm_config_nodedir` (else npm's `nodedir`), and cached in
// .ci/.cache; so is npm's download cache. Run by .ci/run on Node 20 and Node 24
// (docs/decisions.md, D21).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cache = join(root, '.ci', '.cache');
const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const nodeMajor = Number(process.versions.node.split('.')[0]);
const kyselyLine =
  option('--kysely') ?? process.env.COFFER_SMOKE_KYSELY ?? (nodeMajor >= 22 ? '0.29' : '0.28');
if (kyselyLine !== '0.28' && kyselyLine !== '0.29') {
  throw new Error(`--kysely must be 0.28 or 0.29, not ${kyselyLine}`);
}
const reportFile = option('--report');
const keep = argv.includes('--keep');
const pgUrl = process.env.COFFER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const mysqlUrl = process.env.COFFER_TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/';

const work = mkdtempSync(join(tmpdir(), 'coffer-smoke-'));
const app = join(work, 'app');
const log = (line) => console.log(`smoke: ${line}`);
log(`Node ${process.version}, kysely ${kyselyLine}, in ${work}`);

class StepFailed extends Error {}

/** Runs a command; throws StepFailed with its output when it fails. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 10 * 60 * 1000,
    ...options,
    env: { ...process.env, ...options.env },
  });
  if (result.status !== 0 || result.error !== undefined) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-60);
    throw new StepFailed(
      `${command} ${args.join(' ')} (in ${options.cwd ?? process.cwd()}) failed with ${result.error ?? `exit ${result.status}`}:\n${output.join('\n')}`,
    );
  }
  return result;
}

const steps = [];
// The migrations every store applies on an empty database, in order: read from the SQL files the
// stores ship (packages/store-sqlite/sql), so a new migration needs no edit here.
const COFFER_MIGRATIONS = readdirSync(join(root, 'packages', 'store-sqlite', 'sql'))
  .filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file) && !file.endsWith('.down.sql'))
  .sort()
  .map((file) => `coffer_${file.slice(0, -'.sql'.length)}`);
/** Runs one step; a failed step that later steps need (`needed`) ends the run. */
async function step(name, fn, { needed = false } = {}) {
  const started = performance.now();
  try {
    await fn();
    const ms = Math.round(performance.now() - started);
    steps.push({ name, ok: true, ms });
    log(`ok   ${name} (${(ms / 1000).toFixed(1)} s)`);
  } catch (error) {
    steps.push({ name, ok: false, ms: Math.round(performance.now() - started) });
    log(`FAIL ${name}`);
    console.error(error instanceof StepFailed ? error.message : error);
    if (needed) throw new StepFailed(`stopped: later steps need "${name}"`);
  }
}

function expectOutput(result, expected, what) {
  if (result.stderr.trim() !== '') {
    throw new StepFailed(`${what} wrote to stderr:\n${result.stderr}`);
  }
  const lines = result.stdout.trim().split('\n');
  const missing = expected.filter((line) => !lines.includes(line));
  if (missing.length > 0) {
    throw new StepFailed(`${what} printed\n${result.stdout}\nbut not\n${missing.join('\n')}`);
  }
}

// What the app prints when every check in it passed (src/app.ts below).
const APP_OK = [
  'vault/sqlite: put, reveal, rotate, migrate again in a new folder: ok',
  'migrator: own Kysely Migrator then store.migrate(): ok',
  'vault/postgres: put, reveal in a schema of its own: ok',
  'vault/mysql: put, reveal, rotate in a database of its own: ok',
  'api-keys/express: 200 with the key, 401 without, 401 with a wrong one: ok',
  'pii: storage and meta profiles: ok',
];

const packagesDir = join(root, 'packages');
const packageNames = readdirSync(packagesDir).filter((name) =>
  existsSync(join(packagesDir, name, 'package.json')),
);

let failed = false;
try {
  await step(
    'pack every package (pnpm pack)',
    () => {
      const tarballs = join(work, 'tarballs');
      mkdirSync(tarballs);
      for (const name of packageNames) {
        if (!existsSync(join(packagesDir, name, 'dist', 'index.js'))) {
          throw new StepFailed(`packages/${name} has no dist: run \`pnpm build\` first`);
        }
      }
      run('pnpm', ['-r', '--filter', './packages/*', 'pack', '--pack-destination', tarballs], {
        cwd: root,
      });
      const made = readdirSync(tarballs);
      if (made.length !== packageNames.length) {
        throw new StepFailed(`expected ${packageNames.length} tarballs, got ${made.join(', ')}`);
      }
    },
    { needed: true },
  );

  await step(
    `install the tarballs with npm (kysely ${kyselyLine}, no install scripts)`,
    () => {
      mkdirSync(join(app, 'src'), { recursive: true });
      const dependencies = {};
      for (const file of readdirSync(join(work, 'tarballs')).sort()) {
        const manifest = JSON.parse(
          run('tar', ['-xOzf', join(work, 'tarballs', file), 'package/package.json']).stdout,
        );
        dependencies[manifest.name] = `file:../tarballs/${file}`;
      }
      // The install lines of the READMEs: the store's peer kysely, better-sqlite3 for the own-Kysely
      // block, the web framework and the types the blocks need.
      Object.assign(dependencies, {
        kysely: `~${kyselyLine}.0`,
        'better-sqlite3': readDependencyRange('store-sqlite', 'better-sqlite3'),
        express: '^5.1.0',
      });
      const devDependencies = {
        '@types/better-sqlite3': '^7.6.0',
        '@types/express': '^5.0.0',
        '@types/node': `^${nodeMajor}`,
      };
      writeFileSync(
        join(app, 'package.json'),
        `${JSON.stringify({ name: 'coffer-smoke-app', private: true, type: 'module', dependencies, devDependencies }, null, 2)}\n`,
      );
      // No install scripts: better-sqlite3 is first checked unbuilt, then built from source below.
      run(
        'npm',
        [
          'install',
          '--ignore-scripts',
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          '--cache',
          join(cache, 'npm'),
        ],
        { cwd: app },
      );
      const version = (name) =>
        JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')).version;
      const kysely = version('kysely');
      if (!kysely.startsWith(`${kyselyLine}.`)) {
        throw new StepFailed(`npm installed kysely ${kysely}, not ${kyselyLine}.x`);
      }
      // Every @coffer package came from its tarball, once (none from the registry, none nested).
      const nested = run(
        'find',
        ['node_modules', '-mindepth', '3', '-path', '*/node_modules/@coffer/*', '-prune'],
        {
          cwd: app,
        },
      ).stdout.trim();
      if (nested !== '') throw new StepFailed(`nested @coffer packages:\n${nested}`);
      log(
        `    kysely ${kysely}, better-sqlite3 ${version('better-sqlite3')}, express ${version('express')}, bcryptjs ${version('bcryptjs')}`,
      );
    },
    { needed: true },
  );

  writeApp();

  await step(
    'compile with tsc: moduleResolution nodenext (emit) and bundler',
    () => {
      const tsc = join(root, 'node_modules', '.bin', 'tsc');
      run(tsc, ['-p', 'tsconfig.json'], { cwd: app });
      run(tsc, ['-p', 'tsconfig.bundler.json'], { cwd: app });
    },
    { needed: true },
  );

  await step('without a built better-sqlite3 the store says so (STORE_DRIVER_UNAVAILABLE)', () => {
    const result = run(process.execPath, ['dist/unbuilt-driver.js'], { cwd: app });
    expectOutput(
      result,
      ['STORE_DRIVER_UNAVAILABLE not-built: mentions pnpm approve-builds'],
      'dist/unbuilt-driver.js',
    );
  });

  await step(
    'build better-sqlite3 from source (cached per version and Node.js)',
    () => {
      buildBetterSqlite3();
    },
    { needed: true },
  );

  const env = {
    // A fresh key each run: keyrings refuse the keys coffer's docs print.
    COFFER_MASTER_KEYS: `*1:${randomBytes(32).toString('base64url')}`,
    COFFER_SMOKE_PG_URL: pgUrl,
    COFFER_SMOKE_MYSQL_URL: mysqlUrl,
  };

  await step('run the app as ESM (node dist/start.js) in an empty folder', () => {
    const cwd = join(work, 'run-esm');
    mkdirSync(cwd);
    const result = run(process.execPath, [join(app, 'dist', 'start.js')], { cwd, env });
    expectOutput(result, APP_OK, 'the ESM app');
  });

  await step('require() it from a .cjs file (require(esm))', () => {
    const cwd = join(work, 'run-cjs');
    mkdirSync(cwd);
    const result = run(process.execPath, [join(app, 'require.cjs')], { cwd, env });
    expectOutput(result, APP_OK, 'require.cjs');
  });

  await step('bundle it into one file with esbuild and run that', async () => {
    const { build } = await import('esbuild');
    const bundleDir = join(work, 'bundle');
    const outfile = join(bundleDir, 'app.cjs');
    // esbuild --bundle --platform=node (CommonJS output); the native addon stays outside.
    const result = await build({
      entryPoints: [join(app, 'dist', 'start.js')],
      bundle: true,
      platform: 'node',
      target: `node${nodeMajor}`,
      outfile,
      external: ['better-sqlite3'],
      logLevel: 'silent',
    });
    const ours = result.warnings.filter((w) => w.location?.file.includes('@coffer'));
    if (ours.length > 0) {
      throw new StepFailed(`esbuild warned about coffer's code:\n${JSON.stringify(ours, null, 2)}`);
    }
    // Next to the bundle: only better-sqlite3 and what it loads at run time.
    for (const name of ['better-sqlite3', 'bindings', 'file-uri-to-path']) {
      cpSync(join(app, 'node_modules', name), join(bundleDir, 'node_modules', name), {
        recursive: true,
      });
    }
    const run3 = run(process.execPath, [outfile], { cwd: bundleDir, env });
    expectOutput(run3, APP_OK, 'the bundle');
  });
} catch (error) {
  failed = true;
  console.error(error instanceof StepFailed ? error.message : error);
} finally {
  failed ||= steps.some((s) => !s.ok);
  const total = steps.reduce((sum, s) => sum + s.ms, 0);
  log(
    `${steps.filter((s) => s.ok).length} steps passed, ${steps.filter((s) => !s.ok).length} failed, ${(total / 1000).toFixed(1)} s`,
  );
  if (reportFile !== undefined) {
    // The shape of vitest's JSON report, so .ci/run's summary counts the smoke test with the suites.
    const passed = steps.filter((s) => s.ok).length;
    writeFileSync(
      reportFile,
      JSON.stringify({
        numPassedTests: passed,
        numFailedTests: steps.length - passed,
        numPendingTests: 0,
        numTodoTests: 0,
        numTotalTests: steps.length,
        numTotalTestSuites: 1,
        numFailedTestSuites: failed ? 1 : 0,
      }),
    );
  }
  if (failed && !keep) log(`left ${work} for inspection`);
  else if (!keep) rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}
process.exitCode = failed ? 1 : 0;

function readDependencyRange(pkg, name) {
  const manifest = JSON.parse(readFileSync(join(packagesDir, pkg, 'package.json'), 'utf8'));
  return manifest.dependencies[name];
}

// better-sqlite3 compiled once per (better-sqlite3 version, Node.js version) into .ci/.cache, the
// way .ci/run builds it for Node 24: node-gyp against local Node.js headers, no downloads.
function buildBetterSqlite3() {
  const dir = join(app, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const cached = join(cache, `better_sqlite3-${version}-${process.version}.node`);
  const target = join(dir, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(cached)) {
    const nodedir =
      process.env.npm_config_nodedir || run('npm', ['config', 'get', 'nodedir']).stdout.trim();
    if (
      nodedir === '' ||
      nodedir === 'undefined' ||
      !existsSync(join(nodedir, 'include', 'node', 'node_version.h'))
    ) {
      throw new StepFailed(
        `no Node.js headers to build better-sqlite3 against: set npm_config_nodedir (now "${nodedir}")`,
      );
    }
    const headers = readFileSync(join(nodedir, 'include', 'node', 'node_version.h'), 'utf8');
    const [major, minor, patch] = ['MAJOR', 'MINOR', 'PATCH'].map(
      (part) => new RegExp(`#define NODE_${part}_VERSION (\\d+)`).exec(headers)?.[1],
    );
    if (`v${major}.${minor}.${patch}` !== process.version) {
      throw new StepFailed(
        `the headers in ${nodedir} are Node.js v${major}.${minor}.${patch}, this is ${process.version}: set npm_config_nodedir`,
      );
    }
    log(`    compiling better-sqlite3 ${version} for ${process.version} (once; cached)`);
    const nodeGyp = nodeGypOfNpm();
    run(process.execPath, [nodeGyp, 'rebuild', '--release', `--nodedir=${nodedir}`, '-j', '2'], {
      cwd: dir,
    });
    mkdirSync(cache, { recursive: true });
    copyFileSync(target, cached);
  } else {
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(cached, target);
  }
  log(`    ${relative(root, cached)}`);
}

// The node-gyp that ships inside the npm on PATH (not `npm root --global`, which follows the
// node binary: a Node.js from the registry's `node` package has no npm of its own).
function nodeGypOfNpm() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const npm = join(dir, 'npm');
    if (!existsSync(npm)) continue;
    const npmPackage = dirname(dirname(realpathSync(npm)));
    const nodeGyp = join(npmPackage, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    if (existsSync(nodeGyp)) return nodeGyp;
  }
  throw new StepFailed('found no node-gyp inside the npm on PATH');
}

function writeApp() {
  const write = (name, text) => {
    mkdirSync(dirname(join(app, name)), { recursive: true });
    writeFileSync(join(app, name), text);
  };
  const strict = {
    target: 'ES2022',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noImplicitOverride: true,
    noPropertyAccessFromIndexSignature: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    esModuleInterop: true,
    skipLibCheck: false,
  };
  write(
    'tsconfig.json',
    JSON.stringify(
      {
        compilerOptions: {
          ...strict,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          rootDir: 'src',
          outDir: 'dist',
        },
        include: ['src'],
      },
      null,
      2,
    ),
  );
  write(
    'tsconfig.bundler.json',
    JSON.stringify(
      {
        compilerOptions: { ...strict, module: 'ESNext', moduleResolution: 'Bundler', noEmit: true },
        include: ['src'],
      },
      null,
      2,
    ),
  );

  // The README's "Your own Migrator" block, for the kysely this app has.
  const migratorImport =
    kyselyLine === '0.29'
      ? "import { Kysely, SqliteDialect } from 'kysely';\nimport { Migrator } from 'kysely/migration';"
      : "import { Kysely, Migrator, SqliteDialect } from 'kysely';";
  write(
    'src/own-migrator.ts',
    `import { mkdirSync } from 'node:fs';
import { configureSqliteDatabase, createSqliteStore, sqliteMigrationProvider } from '@coffer/store-sqlite';
import Database from 'better-sqlite3';
${migratorImport}

export async function ownMigrator(): Promise<string> {
  mkdirSync('./data', { recursive: true, mode: 0o700 });
  const database = new Database('./data/own.db');
  configureSqliteDatabase(database);
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  const migrator = new Migrator({
    db,
    provider: sqliteMigrationProvider(),
    migrationTableName: 'coffer_migration',
    migrationLockTableName: 'coffer_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
  const names = (results ?? []).map((r) => r.migrationName).join(',');
  if (names !== ${JSON.stringify(COFFER_MIGRATIONS.join(','))}) {
    throw new Error(\`Migrator applied \${names}\`);
  }
  // coffer's own migrate() continues the history the Migrator wrote.
  const storage = createSqliteStore({ db });
  const report = await storage.migrate();
  if (report.applied.length !== 0) throw new Error(\`migrate() re-applied \${report.applied.join(',')}\`);
  await db.destroy();
  return 'migrator: own Kysely Migrator then store.migrate(): ok';
}
`,
  );

  write(
    'src/app.ts',
    `import type { AddressInfo } from 'node:net';
import {
  apiKeyOf,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  expressApiKeyAuth,
} from '@coffer/api-keys';
import { isCofferError } from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, Keyring } from '@coffer/envelope';
import { createPepper, hashUserData, meta, storage as storageProfile } from '@coffer/pii';
import { createKyselyVaultStore } from '@coffer/store-kysely';
import { createMysqlStore } from '@coffer/store-mysql';
import { createPostgresStore } from '@coffer/store-postgres';
import { createSqliteStore } from '@coffer/store-sqlite';
import { createVault, createVaultReader } from '@coffer/vault';
import express from 'express';
import { sql } from 'kysely';
import { ownMigrator } from './own-migrator.js';

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(\`check failed: \${what}\`);
}

function keyProvider() {
  return createLocalKeyProvider(
    Keyring.fromEnv(process.env['COFFER_MASTER_KEYS'], { variable: 'COFFER_MASTER_KEYS' }),
  );
}

/** The READMEs' audit sink, kept in memory: every reveal must reach it. */
function auditSink() {
  const events: { action: string }[] = [];
  return { events, sink: { emit: (event: { action: string }) => void events.push(event) } };
}

// The store-sqlite README's quick path, in a folder that does not exist yet.
async function vaultOnSqlite(): Promise<string> {
  const storage = createSqliteStore({ filename: './data/coffer.db' });
  check((await storage.migrate()).applied.join(',') === ${JSON.stringify(COFFER_MIGRATIONS.join(','))}, 'first migrate applies every migration');
  const provider = keyProvider();
  const envelope = createEnvelope({ provider });
  const vault = createVault({ store: storage.vault, envelope, provider });
  const audit = auditSink();
  const reader = createVaultReader({ store: storage.vault, envelope, audit: audit.sink });
  await vault.verifyKeys();
  const { id } = await vault.put({ kind: 'webhook-secret', owner: 'org_42', value: 'whsec_smoke' });
  const secret = await reader.reveal(id, { actor: 'webhook-sender', purpose: 'sign delivery' });
  check(secret.expose() === 'whsec_smoke', 'reveal returns the value');
  check(String(secret) === '[REDACTED]', 'a revealed value prints redacted');
  const info = await vault.describe(id);
  await vault.rotate(id, 'whsec_rotated', { expectedVersion: info.version });
  check((await reader.reveal(id, { actor: 'a', purpose: 'p' })).expose() === 'whsec_rotated', 'rotate');
  check(audit.events.length === 2, 'every reveal was audited');
  check((await storage.migrate()).applied.length === 0, 'second migrate applies nothing');
  await storage.close();
  return 'vault/sqlite: put, reveal, rotate, migrate again in a new folder: ok';
}

// The store-postgres README's quick path, in a schema of its own.
async function vaultOnPostgres(): Promise<string> {
  const schema = \`coffer_smoke_\${process.pid}_\${Date.now()}\`;
  const storage = createPostgresStore({
    connectionString: process.env['COFFER_SMOKE_PG_URL'] ?? '',
    poolSize: 2,
    schema,
  });
  try {
    await storage.migrate();
    const provider = keyProvider();
    const envelope = createEnvelope({ provider });
    const vault = createVault({ store: storage.vault, envelope, provider });
    const audit = auditSink();
    const reader = createVaultReader({ store: storage.vault, envelope, audit: audit.sink });
    const { id } = await vault.put({ kind: 'meta-capi-token', owner: 'org_42', value: 'EAAG-smoke' });
    const token = await reader.reveal(id, { actor: 'capi-relay', purpose: 'send events' });
    check(token.expose() === 'EAAG-smoke', 'postgres reveal');
    check(audit.events.length === 1, 'the reveal was audited');
    check(typeof createKyselyVaultStore === 'function', 'store-kysely loads');
  } finally {
    await sql\`drop schema if exists \${sql.id(schema)} cascade\`.execute(storage.db);
    await storage.close();
  }
  return 'vault/postgres: put, reveal in a schema of its own: ok';
}

// The store-mysql README's quick path (server-side prepared statements), in a database of its own.
async function vaultOnMysql(): Promise<string> {
  const server = new URL(process.env['COFFER_SMOKE_MYSQL_URL'] ?? '');
  const name = \`coffer_smoke_\${process.pid}_\${Date.now()}\`;
  const admin = createMysqlStore({ connectionString: server.toString(), poolSize: 1 });
  await sql\`create database \${sql.id(name)} character set utf8mb4\`.execute(admin.db);
  server.pathname = \`/\${name}\`;
  const storage = createMysqlStore({ connectionString: server.toString(), poolSize: 2 });
  try {
    const applied = (await storage.migrate()).applied;
    check(applied.join(',') === ${JSON.stringify(COFFER_MIGRATIONS.join(','))}, \`first migrate applies every migration (\${applied.join(',')})\`);
    const provider = keyProvider();
    const envelope = createEnvelope({ provider });
    const vault = createVault({ store: storage.vault, envelope, provider });
    const audit = auditSink();
    const reader = createVaultReader({ store: storage.vault, envelope, audit: audit.sink });
    await vault.verifyKeys();
    const { id } = await vault.put({ kind: 'meta-capi-token', owner: 'org_42', value: 'EAAG-my-smoke' });
    const token = await reader.reveal(id, { actor: 'capi-relay', purpose: 'send events' });
    check(token.expose() === 'EAAG-my-smoke', 'mysql reveal');
    await vault.rotate(id, 'EAAG-my-rotated');
    check((await reader.reveal(id, { actor: 'a', purpose: 'p' })).expose() === 'EAAG-my-rotated', 'mysql rotate');
    check(audit.events.length === 2, 'every reveal was audited');
    check((await storage.migrate()).applied.length === 0, 'second migrate applies nothing');
  } finally {
    await storage.close();
    await sql\`drop database if exists \${sql.id(name)}\`.execute(admin.db);
    await admin.close();
  }
  return 'vault/mysql: put, reveal, rotate in a database of its own: ok';
}

// The api-keys README's Express block, on the SQLite store.
async function apiKeysBehindExpress(): Promise<string> {
  const storage = createSqliteStore({ filename: './data/keys.db' });
  await storage.migrate();
  const hasher = createBcryptHasher({ cost: 4, threads: 2 });
  const verifier = createApiKeyVerifier({ store: storage.apiKeys, hasher });
  const manager = createApiKeyManager({
    store: storage.apiKeys,
    hasher,
    onChange: (change) => verifier.invalidate(change),
  });
  const minted = await manager.mint({ organizationId: 'org_42', env: 'live', name: 'smoke' });
  const web = express();
  web.use('/v1', expressApiKeyAuth(verifier));
  web.get('/v1/whoami', (req, res) => {
    res.json({ organizationId: apiKeyOf(req).organizationId });
  });
  const server = web.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const url = \`http://127.0.0.1:\${port}/v1/whoami\`;
    const ok = await fetch(url, { headers: { 'x-api-key': minted.key.expose() } });
    check(ok.status === 200, \`200 with the key (got \${ok.status})\`);
    check(((await ok.json()) as { organizationId?: string }).organizationId === 'org_42', 'organization');
    const none = await fetch(url);
    check(none.status === 401, 'no key: 401');
    check(((await none.json()) as { error?: { code?: string } }).error?.code === 'UNAUTHENTICATED', 'envelope');
    const wrong = await fetch(url, {
      headers: { 'x-api-key': \`\${minted.key.expose().slice(0, -6)}AAAAAA\` },
    });
    check(wrong.status === 401, 'wrong key: 401');
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await hasher.close();
    await storage.close();
  }
  return 'api-keys/express: 200 with the key, 401 without, 401 with a wrong one: ok';
}

// The pii README's block.
function piiHashing(): string {
  const event = { email: '  Jane.Roe@Example.com ', phone: '07700 900123', country: 'GB', firstName: 'Jane' };
  const pepper = createPepper({ current: 'v1', keys: { v1: new Uint8Array(32).fill(1) } });
  const stored = hashUserData(event, { profile: storageProfile, pepper });
  check(String(stored.userData['email']).startsWith('v1:'), 'storage profile: peppered');
  const forMeta = hashUserData(event, { profile: meta });
  check(/^[0-9a-f]{64}$/.test(String(forMeta.userData['em'])), 'meta: em is SHA-256 hex');
  let typed = false;
  try {
    createPepper({ current: 'v1', keys: {} });
  } catch (error) {
    typed = isCofferError(error);
  }
  check(typed, 'bad pepper: a typed error');
  return 'pii: storage and meta profiles: ok';
}

export async function main(): Promise<string[]> {
  return [
    await vaultOnSqlite(),
    await ownMigrator(),
    await vaultOnPostgres(),
    await vaultOnMysql(),
    await apiKeysBehindExpress(),
    piiHashing(),
  ];
}
`,
  );

  write(
    'src/start.ts',
    `import { main } from './app.js';

main().then(
  (lines) => {
    for (const line of lines) console.log(line);
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
`,
  );

  write(
    'src/unbuilt-driver.ts',
    `import { isCofferError } from '@coffer/core';
import { createSqliteStore } from '@coffer/store-sqlite';

try {
  createSqliteStore({ filename: ':memory:' });
  console.log('opened: the addon is built');
} catch (error) {
  if (isCofferError(error, 'STORE_DRIVER_UNAVAILABLE')) {
    const mentions = error.message.includes('pnpm approve-builds') ? 'mentions pnpm approve-builds' : 'no pnpm advice';
    console.log(\`\${error.code} \${String(error.details?.['problem'])}: \${mentions}\`);
  } else {
    console.log(\`other error: \${String(error)}\`);
  }
}
`,
  );

  write(
    'require.cjs',
    `// A CommonJS caller: require() of the compiled ES module (require(esm), Node >= 20.19).
const { main } = require('./dist/app.js');

main().then(
  (lines) => {
    for (const line of lines) console.log(line);
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
`,
  );
}
