import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { main } from '../src/main.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('ingest_pii');
});
afterAll(async () => {
  await db.drop();
});

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('examples/ingest-pii on PostgreSQL', () => {
  it('stores only hashes, the same for every spelling, and forwards platform hashes', async () => {
    const run = await main(db.url, () => {});
    expect(run.lines).toEqual([
      'POST signup -> 202',
      'POST purchase -> 202',
      'POST purchase -> 202',
      'POST broken -> 400',
      expect.stringMatching(/^stored 3 events; distinct e-mail hashes: 1 \(v1:[0-9a-f]{9}…\)$/),
      'regions kept instead of IPs: -, -, eu-west',
      'forwarded to Meta and TikTok: 3 events, distinct Meta phone hashes: 1',
    ]);
    expect(run.forwarded[0]?.meta.ph).toBe(sha('447700900123'));
    expect(run.forwarded[0]?.tiktok.phone).toBe(sha('+447700900123'));
    expect(run.forwarded[0]?.meta.client_ip_address).toBe('198.51.100.23');

    // Everything PostgreSQL holds for these events, as text: no plaintext e-mail, phone, name or IP.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const dump = JSON.stringify(
        (await client.query('select * from ingest_events')).rows,
      ).toLowerCase();
      for (const secret of [
        'jane.roe@example.org',
        '7700900123',
        '7700 900123',
        '900-123',
        'jane"',
        '198.51.100.23',
      ]) {
        expect(dump).not.toContain(secret);
      }
      expect(dump).toContain('u_1'); // the app's own id is stored as-is, by design
    } finally {
      await client.end();
    }
  });
});
