// `api-keys list` in a pipe printed the table alone: with the organization (or global) kill switch
// on, every key read "active" and nothing said that all of them get 503. The table stays
// parseable; a note on stderr says which switch is on.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/cli.ts';

const temp = tempDir('kill-note');
const db = join(temp.dir, 'keys.db');
afterAll(() => temp.remove());
beforeAll(async () => {
  expect((await runCli(['migrate', '--db', db])).code).toBe(0);
  const minted = await runCli([
    'api-keys',
    'mint',
    '--db',
    db,
    '--org',
    'org_k',
    '--env',
    'test',
    '--name',
    'k',
  ]);
  expect(minted.code, minted.stderr).toBe(0);
});

describe('api-keys list in a pipe', () => {
  it('notes on stderr the kill switches that are on, and only those', async () => {
    const list = () => runCli(['api-keys', 'list', '--db', db, '--org', 'org_k']);
    const before = await list();
    expect(before.stderr).not.toContain('kill switch');
    expect((await runCli(['api-keys', 'kill', '--db', db, '--org', 'org_k'])).code).toBe(0);
    const killed = await list();
    expect(killed.code).toBe(0);
    expect(killed.stdout.split('\n')[1]).toMatch(/\tactive\t/);
    expect(killed.stderr).toContain('the organization kill switch is ON');
    expect(killed.stderr).not.toContain('global');
    expect((await runCli(['api-keys', 'kill', '--db', db, '--global'])).code).toBe(0);
    expect((await list()).stderr).toContain('the global kill switch is ON');
    expect((await runCli(['api-keys', 'unkill', '--db', db, '--global'])).code).toBe(0);
  });
});
