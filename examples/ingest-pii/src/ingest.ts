// The ingest endpoint: the only place customer PII enters. Direct identifiers are normalized and
// hashed in process before anything is written or queued; the IP is used for its region and dropped.
import { createServer, type Server } from 'node:http';
import {
  type HashedUserData,
  hashUserData,
  meta,
  type Pepper,
  storage,
  tiktok,
  userDataSchema,
} from '@coffer/pii';
import type pg from 'pg';

/** The events table: the app's own user id, HMAC'd identifiers, a coarse region. No plaintext PII. */
export const CREATE_EVENTS_TABLE = `
  create table if not exists ingest_events (
    id bigint generated always as identity primary key,
    name text not null,
    user_id text,
    user_hashes jsonb not null,
    region text,
    received_at timestamptz not null default now()
  )`;

/** What is handed to the CAPI forwarder (in a real system: a queue). */
export interface Forward {
  readonly meta: HashedUserData['userData'];
  readonly tiktok: HashedUserData['userData'];
}

export interface IngestOptions {
  pool: pg.Pool;
  pepper: Pepper;
  /** Where an ingest worker's platform payloads go. */
  forward: (payload: Forward) => void;
  /** Country for phones written without a calling code. */
  defaultCountry?: string;
}

function regionOf(ip: string | undefined): string | null {
  if (ip === undefined) return null;
  // A stand-in for a geo-IP lookup: the region is all that outlives the request.
  return ip.startsWith('198.51.') ? 'eu-west' : 'us-east';
}

const MAX_BODY = 64 * 1024;

/** Starts the ingest HTTP server: `POST /events` with `{ name, userId?, user: { email, phone, … } }`. */
export function startIngestServer(options: IngestOptions): Server {
  return createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/events')
      return reply(404, { error: { code: 'NOT_FOUND' } });
    let text = '';
    for await (const chunk of req) {
      text += String(chunk);
      if (text.length > MAX_BODY) return reply(413, { error: { code: 'PAYLOAD_TOO_LARGE' } });
    }
    let event: { name?: unknown; userId?: unknown; user?: unknown };
    try {
      event = JSON.parse(text) as typeof event;
    } catch {
      return reply(400, { error: { code: 'INVALID_JSON' } });
    }
    const user = userDataSchema.safeParse(event.user ?? {});
    if (!user.success || typeof event.name !== 'string') {
      return reply(400, {
        error: {
          code: 'INVALID_EVENT',
          message: 'name must be a string and user an object of strings',
        },
      });
    }
    const country =
      options.defaultCountry === undefined ? {} : { defaultCountry: options.defaultCountry };
    const stored = hashUserData(user.data, {
      profile: storage,
      pepper: options.pepper,
      ...country,
    });
    const region = regionOf(user.data.ip);
    await options.pool.query(
      'insert into ingest_events (name, user_id, user_hashes, region) values ($1, $2, $3, $4)',
      [event.name, typeof event.userId === 'string' ? event.userId : null, stored.userData, region],
    );
    options.forward({
      meta: hashUserData(user.data, { profile: meta, keepIp: true, ...country }).userData,
      tiktok: hashUserData(user.data, { profile: tiktok, keepIp: true, ...country }).userData,
    });
    return reply(202, { accepted: true, dropped: stored.dropped });
  });
}
