// `coffer pii hash` keeps its memory bounded however long its input: a stream many times larger
// than the process's memory goes through. The reader once raced each read against one abort
// promise for the whole stream; every race left a reaction on that promise holding the chunk it
// read, so a 1 GB input took 1.1 GB of memory. Measured on the real binary, by the kernel's peak
// resident set (Linux /proc), while 256 MiB of rows are piped through.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collect, spawnCli } from './support/cli.ts';

const MIB = 1024 * 1024;
const INPUT_MIB = 256;

/** The process's resident set now and at its peak, in MiB, or undefined once it has ended. */
function memory(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

describe.runIf(process.platform === 'linux')('coffer pii hash on a long stream', () => {
  it(`pipes ${INPUT_MIB} MiB through without holding it (peak memory grows far less than the input)`, async () => {
    const child = spawnCli(['pii', 'hash', '--profile', 'meta', '--progress', 'none', '-'], {
      openStdin: true,
    });
    const pid = child.pid as number;
    const done = collect(child);
    // One MiB of rows: an e-mail to hash and a long column that is left out.
    const row = `user@example.com,${'n'.repeat(16 * 1024 - 19)}\n`;
    const chunk = Buffer.from(row.repeat(MIB / row.length), 'utf8');
    const stdin = child.stdin;
    if (stdin === null) throw new Error('no stdin');
    await new Promise<void>((resolve) => stdin.write('email,notes\n', () => resolve()));
    // Measured once the binary has started and read its first rows: its baseline.
    await new Promise<void>((resolve) => stdin.write(chunk, () => resolve()));
    const start = memory(pid);
    if (start === undefined) throw new Error('the binary ended early');
    let peak = start.peak;
    let written = chunk.length;
    while (written < INPUT_MIB * MIB) {
      if (!stdin.write(chunk)) await new Promise((resolve) => stdin.once('drain', resolve));
      written += chunk.length;
      peak = Math.max(peak, memory(pid)?.peak ?? peak);
    }
    stdin.end();
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    const rows = written / row.length;
    expect(result.stdout.trim().split('\n')).toHaveLength(rows + 1);
    // Holding the input would add INPUT_MIB; the reader and hasher need a few MiB.
    expect(peak - start.rss).toBeLessThan(INPUT_MIB / 2);
  }, 120_000);
});
