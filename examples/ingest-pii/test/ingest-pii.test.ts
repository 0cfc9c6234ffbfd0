// The narrated run (`main`) on a database of its own: what it stores, what it forwards, and that by
// default it leaves nothing behind.
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

async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('examples/ingest-pii on PostgreSQL', () => {
  it('stores only hashes, the same for every spelling, and forwards platform hashes', async () => {
    const run = await main({ connectionString: db.url, schema: 'kept_ingest', log: () => {} });
    expect(run.lines).toEqual([
      expect.stringMatching(/^PostgreSQL at postgres:\/\/.+, schema kept_ingest$/),
      'POST signup -> 202',
      'POST purchase -> 202',
      'POST purchase -> 202',
      'POST broken -> 400 INVALID_USER_DATA',
      expect.stringMatching(/^stored 3 events; distinct e-mail hashes: 1 \(.+…\)$/),
      'regions kept instead of IPs: eu-west, -, -',
      'forwarded to Meta and TikTok: 3 events, distinct Meta phone hashes: 1',
      'kept schema kept_ingest',
    ]);
    expect(run.forwarded[0]?.meta.ph).toBe(sha('447700900123'));
    expect(run.forwarded[0]?.tiktok.phone).toBe(sha('+447700900123'));
    expect(run.forwarded[0]?.meta.client_ip_address).toBe('198.51.100.23');

    // Everything PostgreSQL holds for these events, as text: no plaintext e-mail, phone, name or IP.
    const dump = await withClient(async (client) =>
      JSON.stringify((await client.query('select * from kept_ingest.ingest_events')).rows),
    );
    for (const secret of [
      'jane.roe@example.org',
      '7700900123',
      '7700 900123',
      '900-123',
      'jane"',
      '198.51.100.23',
    ]) {
      expect(dump.toLowerCase()).not.toContain(secret);
    }
    expect(dump).toContain('u_1'); // the app's own id is stored as-is, by design
  });

  it('by default works in a fresh schema of its own and drops it at the end', async () => {
    const run = await main({ connectionString: db.url, log: () => {} });
    expect(run.schema).toMatch(/^coffer_ingest_example_[0-9a-f]{12}$/);
    expect(run.lines.at(-1)).toBe(`dropped schema ${run.schema}`);
    expect(run.lines).toContain('POST signup -> 202');
    const left = await withClient(
      async (client) =>
        (
          await client.query(
            "select schema_name from information_schema.schemata where schema_name like 'coffer_ingest_example_%'",
          )
        ).rows,
    );
    expect(left).toEqual([]);
  });
});
