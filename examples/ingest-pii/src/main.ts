// `pnpm start`: an ingest server on PostgreSQL, fed three events for the same person written three
// ways and one broken event. It works in a schema of its own, `coffer_ingest_example_<random>`,
// created for the run and dropped at the end, so it never touches your tables.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { InvalidInputError, randomBytes, toHex } from '@coffer/core';
import { createPepper, pepperFromEnv } from '@coffer/pii';
import pg from 'pg';
import { CREATE_EVENTS_TABLE, type Forward, startIngestServer } from './ingest.ts';
import { DatabaseUnavailableError } from './ingest-errors.ts';

/** The local server as this repository's tests and docs expect it: trust auth, user `postgres`. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface RunOptions {
  /** Default: `DATABASE_URL`, else {@link DEFAULT_DATABASE_URL}. */
  connectionString?: string;
  /**
   * Work in this existing or new schema and keep it afterwards. Default: a fresh, uniquely named
   * schema, dropped at the end of the run.
   */
  schema?: string;
  log?: (line: string) => void;
}

export interface RunResult {
  readonly lines: string[];
  readonly forwarded: Forward[];
  readonly schema: string;
}

/** The connection string without its password, for messages. */
function describeServer(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    url.password = '';
    return url.toString();
  } catch {
    return 'the configured server';
  }
}

function reasonOf(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown; errors?: unknown } | null;
  if (typeof e?.code === 'string') return e.code;
  const first = Array.isArray(e?.errors) ? (e.errors[0] as { code?: unknown }) : undefined;
  if (typeof first?.code === 'string') return first.code;
  return typeof e?.message === 'string' && e.message !== '' ? e.message : 'no answer';
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function main(options: RunOptions = {}): Promise<RunResult> {
  const connectionString =
    options.connectionString ?? (process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
  const log = options.log ?? console.log;
  const keep = options.schema !== undefined;
  const schema = options.schema ?? `coffer_ingest_example_${toHex(randomBytes(6))}`;
  if (!SCHEMA_NAME.test(schema)) {
    throw new InvalidInputError('schema must be a lower-case SQL identifier, e.g. "ingest"', {
      details: { parameter: 'schema' },
    });
  }
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    log(line);
  };
  const pool = new pg.Pool({
    connectionString,
    max: 4,
    connectionTimeoutMillis: 5000,
    // Every connection resolves `ingest_events` in this run's schema.
    options: `-c search_path=${schema}`,
  });
  try {
    await pool.query(`create schema if not exists ${schema}`);
  } catch (error) {
    await pool.end();
    throw new DatabaseUnavailableError(describeServer(connectionString), reasonOf(error), error);
  }

  // Production: COFFER_PII_PEPPER="*v1:<base64url of 32 random bytes>" from a secret manager.
  const pepper = process.env.COFFER_PII_PEPPER
    ? pepperFromEnv(process.env.COFFER_PII_PEPPER)
    : createPepper({ current: 'v1', keys: { v1: randomBytes(32) } });
  const forwarded: Forward[] = [];
  let dropped = false;
  const server = startIngestServer({
    pool,
    pepper,
    forward: (f) => void forwarded.push(f),
    defaultCountry: 'GB',
  });
  try {
    await pool.query(CREATE_EVENTS_TABLE);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
    say(`PostgreSQL at ${describeServer(connectionString)}, schema ${schema}`);
    const sent = [
      {
        name: 'signup',
        userId: 'u_1',
        user: { email: 'Jane.Roe@Example.org', phone: '07700 900123', ip: '198.51.100.23' },
      },
      {
        name: 'purchase',
        userId: 'u_1',
        user: { email: '  jane.roe@example.ORG ', phone: '+44 7700 900123' },
      },
      {
        name: 'purchase',
        userId: 'u_1',
        user: { email: 'JANE.ROE@EXAMPLE.ORG', phone: '0044 (0)7700-900-123', firstName: 'Jane' },
      },
      { name: 'broken', user: { email: 12 } },
    ];
    for (const event of sent) {
      const res = await fetch(url, { method: 'POST', body: JSON.stringify(event) });
      const body = (await res.json()) as { error?: { code: string } };
      say(`POST ${event.name} -> ${res.status}${body.error ? ` ${body.error.code}` : ''}`);
    }
    const rows = await pool.query<{ user_hashes: Record<string, string>; region: string | null }>(
      'select user_hashes, region from ingest_events order by id',
    );
    const emails = new Set(rows.rows.map((r) => r.user_hashes.email));
    say(
      `stored ${rows.rows.length} events; distinct e-mail hashes: ${emails.size} (${[...emails][0]?.slice(0, 12)}…)`,
    );
    say(`regions kept instead of IPs: ${rows.rows.map((r) => r.region ?? '-').join(', ')}`);
    const metaPh = new Set(forwarded.map((f) => f.meta.ph));
    say(
      `forwarded to Meta and TikTok: ${forwarded.length} events, distinct Meta phone hashes: ${metaPh.size}`,
    );
    if (keep) {
      say(`kept schema ${schema}`);
    } else {
      await pool.query(`drop schema ${schema} cascade`);
      dropped = true;
      say(`dropped schema ${schema}`);
    }
    return { lines, forwarded, schema };
  } finally {
    server.close();
    // On a failed run, still leave nothing behind.
    if (!keep && !dropped) {
      await pool.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    }
    await pool.end();
  }
}
