// The ingest server's edges, over real HTTP and a real PostgreSQL database of its own: every refusal
// and failure in the error envelope, a database error answered with a 500 while the server keeps
// serving, bodies split inside a multi-byte character, and a byte limit that counts bytes.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from '@coffer/core';
import { createPepper, hashUserData, meta, storage } from '@coffer/pii';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { CREATE_EVENTS_TABLE, type Forward, startIngestServer } from '../src/ingest.ts';
import { post, splitAt } from './post.ts';

const LIMIT = 1024;
let db: TestDatabase;
let pool: pg.Pool;
let server: Server;
let url: string;
const pepper = createPepper({ current: 'v1', keys: { v1: randomBytes(32) } });
const forwarded: Forward[] = [];
const failures: { error: unknown; requestId: string }[] = [];

beforeAll(async () => {
  db = await createTestDatabase('ingest_server');
  pool = new pg.Pool({ connectionString: db.url, max: 2, options: '-c search_path=ingest' });
  await pool.query('create schema ingest');
  await pool.query(CREATE_EVENTS_TABLE);
  server = startIngestServer({
    pool,
    pepper,
    forward: (payload) => void forwarded.push(payload),
    defaultCountry: 'GB',
    maxBodyBytes: LIMIT,
    onError: (error, requestId) => void failures.push({ error, requestId }),
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await pool.end();
  await db.drop();
});
beforeEach(async () => {
  forwarded.length = 0;
  failures.length = 0;
  await pool.query('truncate ingest_events');
});

const utf8 = (text: string) => new TextEncoder().encode(text);
const rows = async () =>
  (
    await pool.query<{ name: string; user_hashes: Record<string, string> }>(
      'select name, user_hashes from ingest_events order by id',
    )
  ).rows;

/** The full envelope every error answers with. */
const envelope = (code: string, requestId: string | RegExp = /^req_[0-9a-z]{16}$/) => ({
  error: {
    code,
    message: expect.any(String),
    requestId: typeof requestId === 'string' ? requestId : expect.stringMatching(requestId),
    details: expect.any(Object),
  },
});

describe('examples/ingest-pii: the ingest server', () => {
  it('answers malformed JSON, a non-object and a missing name with 400 envelopes, storing nothing', async () => {
    const badJson = await post(url, [utf8('{"name": "signup", ')], { 'x-request-id': 'trace-1' });
    expect(badJson).toMatchObject({ status: 400, body: envelope('INVALID_JSON', 'trace-1') });
    expect(await post(url, [utf8('null')])).toMatchObject({
      status: 400,
      body: envelope('INVALID_EVENT'),
    });
    const noName = await post(url, [utf8('{"user":{"email":"a@example.com"}}')]);
    expect(noName).toMatchObject({ status: 400, body: envelope('INVALID_EVENT') });
    expect(noName.body).toMatchObject({ error: { details: { field: 'name' } } });
    const notUtf8 = await post(url, [Uint8Array.of(0x7b, 0xff, 0x7d)]);
    expect(notUtf8).toMatchObject({ status: 400, body: envelope('INVALID_JSON') });
    const badUser = await post(url, [utf8('{"name":"x","user":{"email":12}}')]);
    expect(badUser).toMatchObject({ status: 400, body: envelope('INVALID_USER_DATA') });
    expect(JSON.stringify(badUser.body)).not.toContain('12');
    expect(await post(url.replace('/events', '/nope'), [utf8('{}')])).toMatchObject({
      status: 404,
      body: envelope('NOT_FOUND'),
    });
    expect(await rows()).toEqual([]);
    expect(failures).toEqual([]);
  });

  it('answers a database failure with a 500 envelope, says nothing internal, and keeps serving', async () => {
    const event = utf8(
      JSON.stringify({
        name: 'signup',
        user: { email: 'jane.roe@example.org', phone: '07700 900123' },
      }),
    );
    await pool.query('drop table ingest_events');
    try {
      const failed = await post(url, [event], { 'x-request-id': 'trace-db' });
      expect(failed).toMatchObject({ status: 500, body: envelope('INTERNAL', 'trace-db') });
      const text = JSON.stringify(failed.body);
      expect(text).not.toContain('ingest_events');
      expect(text).not.toContain('jane');
      expect(failures).toEqual([
        { error: expect.objectContaining({ code: '42P01' }), requestId: 'trace-db' },
      ]);
      expect(forwarded).toEqual([]); // nothing forwarded that was not stored
    } finally {
      await pool.query(CREATE_EVENTS_TABLE);
    }
    expect((await post(url, [event])).status).toBe(202);
    expect(await rows()).toHaveLength(1);
  });

  it('hashes a body split inside multi-byte characters exactly as the whole text', async () => {
    const user = { email: 'zoë.ångström@example.org', firstName: 'Zoë', lastName: 'Ångström' };
    const bytes = utf8(JSON.stringify({ name: 'signup', user }));
    // Split inside each two-byte character: after the first byte of ë (C3 AB) and of Å (C3 85).
    const splits: number[] = [];
    bytes.forEach((b, i) => {
      if (b === 0xc3) splits.push(i + 1);
    });
    expect(splits.length).toBeGreaterThanOrEqual(4);
    expect(await post(url, splitAt(bytes, ...splits))).toMatchObject({ status: 202 });

    const expected = hashUserData(user, { profile: storage, pepper, defaultCountry: 'GB' });
    expect(expected.userData.firstName).toBeDefined();
    expect(expected.userData.lastName).toBeDefined();
    expect((await rows())[0]?.user_hashes).toEqual(expected.userData);
    const forMeta = hashUserData(user, { profile: meta, keepIp: true, defaultCountry: 'GB' });
    expect(forwarded[0]?.meta).toEqual(forMeta.userData);
  });

  it('counts the limit in bytes: a body of fewer characters but more bytes is a 413', async () => {
    // 600 two-byte characters: 600 UTF-16 units, well under the limit, but more than 1024 bytes.
    const name = 'é'.repeat(600);
    const bytes = utf8(JSON.stringify({ name: 'signup', user: { firstName: name } }));
    expect(name.length).toBeLessThan(LIMIT);
    expect(bytes.length).toBeGreaterThan(LIMIT);

    const streamed = await post(url, splitAt(bytes, 500, 1000));
    expect(streamed).toMatchObject({ status: 413, body: envelope('PAYLOAD_TOO_LARGE') });
    expect(streamed.body).toMatchObject({ error: { details: { limitBytes: LIMIT } } });
    expect(streamed.headers.connection).toBe('close');

    const declared = await fetch(url, { method: 'POST', body: bytes });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject(envelope('PAYLOAD_TOO_LARGE'));

    // Exactly at the limit is accepted, and the server still serves.
    const fits = utf8(JSON.stringify({ name: 'signup', user: { firstName: 'x' } }));
    const padded = new Uint8Array(LIMIT).fill(0x20);
    padded.set(fits);
    expect((await post(url, splitAt(padded, 300))).status).toBe(202);
    expect(await rows()).toHaveLength(1);
  });
});
