import { describe, expect, it } from 'vitest';
import { main } from '../src/main.ts';
import { transcriptMismatch } from './transcript.ts';

describe('examples/express-api-keys', () => {
  it('mints through the admin API, then accepts, refuses, keeps test keys out of production, rate-limits, kills and revokes', async () => {
    expect(transcriptMismatch(await main(() => {}))).toBeNull();
  });
});
