// The demo runs in CI: twice on the same state directory (first run generates the master key,
// second reuses it), narrating every step without a stack trace. The first run is `pnpm demo` from
// the repository root, as the README says; the second runs the same package from a copy whose path
// has a space, an accent and a literal `%20` (an entry point that compared import.meta.url with
// process.argv[1] printed nothing there and exited 0).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const example = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(example, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'coffer-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** examples/quickstart copied to `<tmp>/my repo é %20/quickstart`, its node_modules linked. */
function copyUnderAnAwkwardPath(): string {
  const copy = join(dir, 'my repo é %20', 'quickstart');
  mkdirSync(copy, { recursive: true });
  cpSync(join(example, 'src'), join(copy, 'src'), { recursive: true });
  cpSync(join(example, 'package.json'), join(copy, 'package.json'));
  symlinkSync(join(example, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
}

function run(cwd: string, args: string[]): { status: number | null; out: string } {
  const result = spawnSync('pnpm', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      // tsx lives in the workspace root's node_modules/.bin; the copy is outside the workspace.
      PATH: `${join(repo, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`,
      COFFER_DEMO_DIR: join(dir, 'state'),
      NO_COLOR: '1',
      COFFER_MASTER_KEYS: '',
      COFFER_PII_PEPPER: '',
    },
    timeout: 120_000,
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

/** The storage HMAC the demo prints for the e-mail. */
const storageHash = (out: string): string | undefined =>
  /HMAC under a pepper .*: email=(\S+)…/.exec(out)?.[1];

describe('pnpm demo (examples/quickstart)', () => {
  it('runs the whole story, exits 0, and works a second time on the same state', () => {
    const first = run(repo, ['--silent', 'demo']);
    expect(first.out).toContain('generated a master key');
    expect(first.status, first.out).toBe(0);
    const state = join(dir, 'state');
    for (const file of ['master-keys', 'pii-pepper']) {
      expect((statSync(join(state, file)).mode & 0o777).toString(8)).toBe('600');
    }
    const second = run(copyUnderAnAwkwardPath(), ['--silent', 'start']);
    expect(second.status, second.out).toBe(0);
    expect(second.out).toContain('loaded master key');
    expect(second.out).toContain('loaded the pepper');
    for (const out of [first.out, second.out]) {
      expect(out).toContain('platform answered 200');
      expect(out).toContain('the stale token gets 401');
      expect(out).toContain('same vault_id ✓');
      expect(out).toContain('another organization asking for that vault_id gets NOT_FOUND');
      expect(out).toMatch(/minted lp_test_[0-9A-HJKMNP-TV-Z]{16}_…/);
      expect(out).toContain('GET /v1/whoami → 200');
      expect(out).toContain(
        'with one character of the secret changed → 401 UNAUTHENTICATED: the key still has the right shape, its checksum does not match; store reads: 0',
      );
      expect(out).toContain('killed → 503 KILL_SWITCH (scope: key)');
      expect(out).toContain('un-killed → 200');
      expect(out).toContain('revoked → 401 REVOKED');
      expect(out).toContain('logs see the minted key as [REDACTED]');
      expect(out).toContain('(ph = sha256 of "447700900123")');
      expect(out).toContain('(phone = sha256 of "+447700900123")');
      expect(out).toContain('hashes the same: yes');
      expect(out).toContain('IP dropped from both payloads: yes');
      expect(out).not.toMatch(/lp_test_[0-9A-HJKMNP-TV-Z]{16}_[A-Za-z0-9_-]{43}/); // no full key printed
      expect(out).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
      expect(out).not.toContain('demo failed');
    }
    // The pepper is kept with the master key, so both runs store the same HMAC for the same e-mail.
    expect(storageHash(first.out)).toBeDefined();
    expect(storageHash(second.out)).toBe(storageHash(first.out));
  });
});
