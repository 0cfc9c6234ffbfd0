// The demo runs in CI: twice on the same state directory (first run generates the master key,
// second reuses it), narrating every step without a stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'coffer-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runDemo(): { status: number | null; out: string } {
  const run = spawnSync('pnpm', ['--silent', 'start'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, COFFER_DEMO_DIR: dir, NO_COLOR: '1', COFFER_MASTER_KEYS: '' },
    timeout: 120_000,
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

describe('pnpm demo (examples/quickstart)', () => {
  it('runs the whole story, exits 0, and works a second time on the same state', () => {
    const first = runDemo();
    expect(first.out).toContain('generated a master key');
    expect(first.status, first.out).toBe(0);
    expect((statSync(join(dir, 'master-keys')).mode & 0o777).toString(8)).toBe('600');
    const second = runDemo();
    expect(second.status, second.out).toBe(0);
    expect(second.out).toContain('loaded master key');
    for (const out of [first.out, second.out]) {
      expect(out).toContain('platform answered 200');
      expect(out).toContain('the stale token gets 401');
      expect(out).toContain('same vault_id ✓');
      expect(out).toMatch(/minted lp_test_[0-9A-HJKMNP-TV-Z]{16}_…/);
      expect(out).toContain('GET /v1/whoami → 200');
      expect(out).toContain('killed → 503 KILL_SWITCH (scope: key)');
      expect(out).toContain('un-killed → 200');
      expect(out).toContain('revoked → 401 REVOKED');
      expect(out).toContain('logs see the minted key as [REDACTED]');
      expect(out).toContain('(sha256 of "447700900123")');
      expect(out).toContain('(sha256 of "+447700900123")');
      expect(out).toContain('hashes the same: yes');
      expect(out).toContain('IP dropped from both payloads: yes');
      expect(out).not.toMatch(/lp_test_[0-9A-HJKMNP-TV-Z]{16}_[A-Za-z0-9_-]{43}/); // no full key printed
      expect(out).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
      expect(out).not.toContain('demo failed');
    }
  });
});
