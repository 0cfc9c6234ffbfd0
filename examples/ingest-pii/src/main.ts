// `pnpm start`: an ingest server on PostgreSQL (DATABASE_URL, else the local server's `postgres`
// database, in a table `ingest_events`), fed three events for the same person written three ways.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { randomBytes } from '@coffer/core';
import { createPepper, pepperFromEnv } from '@coffer/pii';
import pg from 'pg';
import { CREATE_EVENTS_TABLE, type Forward, startIngestServer } from './ingest.ts';

export interface RunResult {
  readonly lines: string[];
  readonly forwarded: Forward[];
  readonly sent: unknown[];
}

export async function main(
  connectionString: string = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/postgres',
  log: (line: string) => void = console.log,
): Promise<RunResult> {
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    log(line);
  };
  const pool = new pg.Pool({ connectionString, max: 4 });
  // Production: COFFER_PII_PEPPER="*v1:<base64url of 32 random bytes>" from a secret manager.
  const pepper = process.env.COFFER_PII_PEPPER
    ? pepperFromEnv(process.env.COFFER_PII_PEPPER)
    : createPepper({ current: 'v1', keys: { v1: randomBytes(32) } });
  const forwarded: Forward[] = [];
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
      say(`POST ${event.name} -> ${res.status}`);
    }
    const rows = await pool.query<{ user_hashes: Record<string, string>; region: string | null }>(
      'select user_hashes, region from ingest_events order by id desc limit 3',
    );
    const emails = new Set(rows.rows.map((r) => r.user_hashes.email));
    say(
      `stored 3 events; distinct e-mail hashes: ${emails.size} (${[...emails][0]?.slice(0, 12)}…)`,
    );
    say(`regions kept instead of IPs: ${rows.rows.map((r) => r.region ?? '-').join(', ')}`);
    const metaPh = new Set(forwarded.map((f) => f.meta.ph));
    say(
      `forwarded to Meta and TikTok: ${forwarded.length} events, distinct Meta phone hashes: ${metaPh.size}`,
    );
    return { lines, forwarded, sent };
  } finally {
    server.close();
    await pool.end();
  }
}
