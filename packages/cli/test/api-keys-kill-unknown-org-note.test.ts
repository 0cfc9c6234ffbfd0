// `api-keys kill --org` with a mistyped id (during an incident, at 2 a.m.) turned on the switch of
// an organization that has no keys and exited 0, silently: the real organization's keys kept
// working. The switch is still set (killing an organization before its first key is legitimate),
// but stderr now says the organization has no keys.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/cli.ts';

const temp = tempDir('kill-org');
const db = join(temp.dir, 'keys.db');
afterAll(() => temp.remove());
beforeAll(async () => {
  expect((await runCli(['migrate', '--db', db])).code).toBe(0);
  const minted = await runCli(
    ['api-keys', 'mint', '--db', db, '--org', 'org_42', '--env', 'live', '--name', 'n'],
    {},
  );
  expect(minted.code, minted.stderr).toBe(0);
});

describe('api-keys kill --org', () => {
  it('notes an organization without keys (a mistyped id), in a pipe and with --json', async () => {
    const typo = await runCli(['api-keys', 'kill', '--db', db, '--org', 'org_24']);
    expect(typo.code, typo.stderr).toBe(0);
    expect(typo.stderr).toContain('organization "org_24" has no API keys; check the id');
    const json = await runCli(['api-keys', 'kill', '--db', db, '--org', 'org_24', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ organizationId: 'org_24', killed: true });
    expect(json.stderr).toContain('has no API keys');
  });

  it('says nothing of the kind for an organization with keys', async () => {
    const real = await runCli(['api-keys', 'kill', '--db', db, '--org', 'org_42']);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stderr).not.toContain('no API keys');
    expect((await runCli(['api-keys', 'unkill', '--db', db, '--org', 'org_42'])).code).toBe(0);
  });
});
