// docs/getting-started.md is run, not only type-checked: every TypeScript block, in order, as its
// own program in a fresh, empty directory (so `./data` must be created by the doc itself), with
// COFFER_MASTER_KEYS set as the doc says. The one call to the outside world, Meta's Graph API,
// goes to a local server standing in for it (a preload redirects that origin and refuses any
// other), so the test sees exactly what the doc sends.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatKekEntry } from '@coffer/envelope';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(docs, '..');
const temp = mkdtempSync(join(tmpdir(), 'coffer-getting-started-'));

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
}
const seen: Seen[] = [];
let platform: Server;
let platformUrl: string;

beforeAll(async () => {
  platform = createServer((req, res) => {
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
    });
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"events_received":1}');
  });
  platform.listen(0, '127.0.0.1');
  await once(platform, 'listening');
  platformUrl = `http://127.0.0.1:${(platform.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => platform.close(resolve));
  rmSync(temp, { recursive: true, force: true });
});

/** The doc's TypeScript blocks, as scripts/check-doc-blocks.mjs extracts them for the type-check. */
function blocksOf(file: string): string[] {
  const run = spawnSync(
    process.execPath,
    [join(repo, 'scripts', 'check-doc-blocks.mjs'), '--list'],
    {
      encoding: 'utf8',
    },
  );
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { file: string; ignored: boolean; code: string })
    .filter((block) => block.file === file && !block.ignored)
    .map((block) => block.code);
}

/** Runs a program without blocking this process (which serves the stand-in meanwhile). */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const PRELOAD = `
const real = globalThis.fetch;
const target = process.env.STAND_IN_GRAPH_API;
globalThis.fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.origin !== 'https://graph.facebook.com') {
    return Promise.reject(new Error('getting-started test: no network beyond the stand-in'));
  }
  return real(target + url.pathname + url.search, init);
};
`;

describe('docs/getting-started.md, run', () => {
  it('every block runs in order in an empty directory and does what the doc says', async () => {
    const blocks = blocksOf(join('docs', 'getting-started.md'));
    expect(blocks).toHaveLength(2);
    const dir = join(temp, 'my app');
    mkdirSync(dir);
    // The docs workspace package depends on every @coffer package: link its node_modules.
    symlinkSync(join(docs, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n'); // an ESM app
    writeFileSync(join(dir, 'stand-in.mjs'), PRELOAD);
    const env = {
      ...process.env,
      COFFER_MASTER_KEYS: formatKekEntry({ id: 1, status: 'primary' }).expose(),
      STAND_IN_GRAPH_API: platformUrl,
    };
    const outputs: string[] = [];
    for (const [i, code] of blocks.entries()) {
      writeFileSync(join(dir, `block-${i + 1}.ts`), code);
      const result = await run(
        join(repo, 'node_modules', '.bin', 'tsx'),
        ['--conditions=@coffer/source', '--import', './stand-in.mjs', `block-${i + 1}.ts`],
        { cwd: dir, env },
      );
      expect(result.status, `block ${i + 1}:\n${result.stdout}${result.stderr}`).toBe(0);
      outputs.push(result.stdout);
    }

    // Block 1: the vault. The token reached the platform, in the header, and nowhere in the audit.
    expect(existsSync(join(dir, 'data', 'coffer.db'))).toBe(true);
    expect(seen).toEqual([
      {
        method: 'POST',
        path: '/v21.0/1234/events',
        authorization: expect.stringMatching(/^Bearer EAAG\w+$/),
      },
    ]);
    const audit = (outputs[0] ?? '')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { action: string });
    expect(audit.map((event) => event.action)).toEqual(['put', 'reveal']);
    expect(outputs[0]).not.toContain('EAAG');

    // Block 2: API keys and PII on the same storage.
    expect(outputs[1]).toMatch(/^org_42\n[0-9a-f]{64} [0-9a-f]{64}\n$/);
  });
});
