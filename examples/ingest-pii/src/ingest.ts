// The ingest endpoint: the only place customer PII enters. Direct identifiers are normalized and
// hashed in process before anything is written or queued; the IP is used for its region and dropped.
// Every failure — bad input, an oversize body, a database error — is answered in the error envelope
// and the server keeps serving.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  type HashedUserData,
  hashUserData,
  InvalidUserDataError,
  meta,
  type Pepper,
  storage,
  tiktok,
  userDataSchema,
} from '@coffer/pii';
import type pg from 'pg';
import { errorEnvelope } from './error-envelope.ts';
import { InvalidEventError, InvalidJsonError, RouteNotFoundError } from './ingest-errors.ts';
import { readBody } from './read-body.ts';
import { requestIdOf } from './request-id.ts';

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

/** Where the server's events go. */
export interface IngestDatabase {
  query: pg.Pool['query'];
}

export interface IngestOptions {
  /** Runs the insert; `ingest_events` must resolve through its search_path. */
  pool: IngestDatabase;
  pepper: Pepper;
  /** Where an ingest worker's platform payloads go. */
  forward: (payload: Forward) => void;
  /** Country for phones written without a calling code. */
  defaultCountry?: string;
  /** Largest accepted body, in bytes (default 64 KiB). */
  maxBodyBytes?: number;
  /**
   * Told about every request that failed with a 500 (a database error, a bug): log its code, not
   * its message, which may quote stored values. Default: one line on stderr.
   */
  onError?: (error: unknown, requestId: string) => void;
}

const DEFAULT_MAX_BODY = 64 * 1024;

function regionOf(ip: string | undefined): string | null {
  if (ip === undefined) return null;
  // A stand-in for a geo-IP lookup: the region is all that outlives the request.
  return ip.startsWith('198.51.') ? 'eu-west' : 'us-east';
}

function logFailure(error: unknown, requestId: string): void {
  const code = (error as { code?: unknown } | null)?.code;
  console.error(
    `ingest: ${requestId} failed (${typeof code === 'string' ? code : 'unexpected error'})`,
  );
}

function parseEvent(text: string): { name: string; userId: string | null; user: unknown } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidJsonError();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidEventError('(body)');
  }
  const event = parsed as { name?: unknown; userId?: unknown; user?: unknown };
  if (typeof event.name !== 'string') throw new InvalidEventError('name');
  return {
    name: event.name,
    userId: typeof event.userId === 'string' ? event.userId : null,
    user: event.user ?? {},
  };
}

/** Starts the ingest HTTP server: `POST /events` with `{ name, userId?, user: { email, phone, … } }`. */
export function startIngestServer(options: IngestOptions): Server {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const onError = options.onError ?? logFailure;
  const country =
    options.defaultCountry === undefined ? {} : { defaultCountry: options.defaultCountry };

  async function handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    if (req.method !== 'POST' || req.url !== '/events') throw new RouteNotFoundError();
    const declared = Number(req.headers['content-length']);
    const event = parseEvent(
      await readBody(req, maxBody, Number.isSafeInteger(declared) ? declared : undefined),
    );
    const user = userDataSchema.safeParse(event.user);
    if (!user.success) {
      throw new InvalidUserDataError(
        user.error.issues.map((issue) => ({ path: issue.path.join('.'), code: issue.code })),
      );
    }
    const stored = hashUserData(user.data, {
      profile: storage,
      pepper: options.pepper,
      ...country,
    });
    await options.pool.query(
      'insert into ingest_events (name, user_id, user_hashes, region) values ($1, $2, $3, $4)',
      [event.name, event.userId, stored.userData, regionOf(user.data.ip)],
    );
    options.forward({
      meta: hashUserData(user.data, { profile: meta, keepIp: true, ...country }).userData,
      tiktok: hashUserData(user.data, { profile: tiktok, keepIp: true, ...country }).userData,
    });
    return { status: 202, body: { accepted: true, dropped: stored.dropped } };
  }

  function send(res: ServerResponse, status: number, body: unknown, close: boolean): void {
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    // After an oversize body the rest is left unread: close the connection rather than drain it.
    if (close) headers.connection = 'close';
    res.writeHead(status, headers);
    res.end(JSON.stringify(body));
  }

  return createServer((req, res) => {
    const requestId = requestIdOf(req.headers);
    handle(req)
      .then(
        ({ status, body }) => send(res, status, body, false),
        (error: unknown) => {
          const envelope = errorEnvelope(error, requestId);
          if (envelope.status >= 500) onError(error, requestId);
          send(res, envelope.status, envelope.body, envelope.status === 413);
        },
      )
      // Only if answering itself failed (the client went away): nothing left to tell it.
      .catch(() => res.destroy());
  });
}
