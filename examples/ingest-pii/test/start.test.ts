// `pnpm start` as a user runs it: against a database that answers, and against one that does not
// (a clean one-line error with a non-zero exit, no stack trace, no password).
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';

const example = join(dirname(fileURLToPath(import.meta.url)), '..');

function start(databaseUrl: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('pnpm', ['--silent', 'start'], {
    cwd: example,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: databaseUrl, COFFER_PII_PEPPER: '' },
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A local port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('ingest_start');
});
afterAll(async () => {
  await db.drop();
});

describe('examples/ingest-pii: pnpm start', () => {
  it('runs the story against DATABASE_URL and exits 0', () => {
    const run = start(db.url);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('POST broken -> 400 INVALID_USER_DATA');
    expect(run.stdout).toMatch(/dropped schema coffer_ingest_example_[0-9a-f]{12}/);
  });

  it('reports an unreachable database in one line, exits 1, and never prints the password', async () => {
    const run = start(`postgres://postgres:hunter2@127.0.0.1:${await closedPort()}/postgres`);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^ingest-pii example failed — DB_UNAVAILABLE: Could not use PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres \(ECONNREFUSED\)\. .*DATABASE_URL.*\n$/,
    );
    expect(run.stderr).not.toContain('hunter2');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
