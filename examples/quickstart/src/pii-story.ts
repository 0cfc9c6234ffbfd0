// Part 3 of the demo: one ingest event's e-mail and phone, hashed for Meta and for TikTok, and for
// storage under the demo's pepper — the same hashes however the SDK spelled them.
import { sha256Hex } from '@coffer/core';
import { hashUserData, meta, type Pepper, storage, tiktok } from '@coffer/pii';
import { fact, ok, step } from './narrate.ts';

export function piiStory(pepper: Pepper): void {
  step('Hash an ingest event’s e-mail and phone for Meta and TikTok');
  const event = {
    email: '  Jane.Roe@Example.COM ',
    phone: '07700 900123',
    country: 'GB',
    ip: '198.51.100.23',
  };
  fact(
    `event as sent by the SDK: email=${JSON.stringify(event.email)}, phone=${JSON.stringify(event.phone)}, country=GB`,
  );
  const forMeta = hashUserData(event, { profile: meta });
  const forTikTok = hashUserData(event, { profile: tiktok });
  // What each platform documents for this number: digits with the country code; TikTok adds the +.
  const is = (hash: string | undefined, text: string) =>
    hash === sha256Hex(text) ? `= sha256 of "${text}"` : `NOT sha256 of "${text}"`;
  ok(
    `Meta   em=${forMeta.userData.em?.slice(0, 16)}…  ph=${forMeta.userData.ph?.slice(0, 16)}…  (ph ${is(forMeta.userData.ph, '447700900123')})`,
  );
  ok(
    `TikTok email=${forTikTok.userData.email?.slice(0, 16)}…  phone=${forTikTok.userData.phone?.slice(0, 16)}…  (phone ${is(forTikTok.userData.phone, '+447700900123')})`,
  );
  const again = hashUserData(
    { email: 'JANE.ROE@example.com', phone: '+44 (0)7700-900-123' },
    { profile: meta },
  );
  ok(
    `another spelling of the same person hashes the same: ${again.userData.em === forMeta.userData.em && again.userData.ph === forMeta.userData.ph ? 'yes' : 'NO'}`,
  );
  fact(
    `IP dropped from both payloads: ${'client_ip_address' in forMeta.userData || 'ip' in forTikTok.userData ? 'NO' : 'yes'}`,
  );
  const stored = hashUserData(event, { profile: storage, pepper });
  fact(
    `for our own database, HMAC under a pepper (not reversible by a dictionary; the same pepper gives the same hash on every run): email=${stored.userData.email?.slice(0, 19)}…`,
  );
}
