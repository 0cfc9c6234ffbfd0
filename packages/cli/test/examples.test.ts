// The @example blocks of the package's public TSDoc, run as written.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES, run } from '../src/index.ts';

describe('TSDoc examples', () => {
  it('EXIT_CODES', () => {
    expect(EXIT_CODES.incomplete).toBe(6);
    expect(Object.values(EXIT_CODES).includes(130)).toBe(true);
  });

  it('run', async () => {
    const stdout = new PassThrough();
    const code = await run(['keygen', '--only', 'pepper', '--json'], { stdout });
    expect(code === EXIT_CODES.ok).toBe(true);
    expect(JSON.parse(String(stdout.read())).pepper.version).toBe('v1');
  });
});
