// What each runtime measures, against its own Web Crypto in the same run: envelope seal+open of
// 256 B, PII e-mail normalize+hash, and the two core primitives under them (AES-256-GCM seal and
// SHA-256 of 256 B) for comparison with bench/core.bench.ts's noble-on-Node figures.
import { aes256GcmSeal, cryptoBackend, sha256 } from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { normalizeEmail, sha256ForPlatform } from '@coffer/pii';
import { compare, type Ratio, type RoundOptions } from './measure.ts';

/** One measured figure. */
export interface BenchFigure extends Ratio {
  readonly name: string;
  readonly baseline: string;
}

/** What a runtime's bench reports. */
export interface BenchReport {
  readonly runtime: string;
  readonly cryptoBackend: string;
  readonly figures: readonly BenchFigure[];
}

const CONTEXT = { vaultId: 'vlt_01J8ZQ4T7Y3K9W2M5N6P', tenant: 'acme', purpose: 'meta-capi' };
const FIRST = ['john', 'Mary', 'J.O.E', 'anne-marie', 'Ünal', 'li', 'Zoë', 'ahmed'];
const DOMAINS = ['Example.com', 'gmail.com', 'YAHOO.co.uk', 'mail.example.org', 'outlook.com'];

const hex = (buffer: ArrayBuffer): string => {
  let out = '';
  for (const b of new Uint8Array(buffer)) out += b.toString(16).padStart(2, '0');
  return out;
};

/** Runs every figure; `runtime` names where. */
export async function runBench(runtime: string, options: RoundOptions): Promise<BenchReport> {
  const figures: BenchFigure[] = [];
  const record = (name: string, baseline: string, r: Ratio) =>
    figures.push({ name, baseline, ...r });

  const keyBytes = new Uint8Array(32).fill(1);
  const webKey = await crypto.subtle.importKey('raw', keyBytes, 'AES-GCM', false, [
    'encrypt',
    'decrypt',
  ]);
  const small = new Uint8Array(256).fill(3);
  const iv = new Uint8Array(12);
  const webSealOpen = async () => {
    crypto.getRandomValues(iv);
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, webKey, small);
    return crypto.subtle.decrypt({ name: 'AES-GCM', iv }, webKey, sealed);
  };
  const keyring = Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]);
  const envelope = createEnvelope({ provider: createLocalKeyProvider(keyring) });
  record(
    'envelope: seal+open 256 B',
    'Web Crypto AES-256-GCM encrypt+decrypt',
    await compare(
      webSealOpen,
      async () =>
        envelope.open(await envelope.seal(small, { context: CONTEXT }), { context: CONTEXT }),
      options,
    ),
  );

  const raw = Array.from({ length: 1024 }, (_, i) => {
    const email = `${FIRST[i % FIRST.length]}${i}@${DOMAINS[i % DOMAINS.length]}`;
    return i % 3 === 0 ? `  ${email.toUpperCase()} ` : email;
  });
  const normalized = raw.map((e) => {
    const n = normalizeEmail(e);
    if (!n.ok) throw new Error('bench e-mail did not normalize');
    return new TextEncoder().encode(n.value);
  });
  let i = 0;
  let j = 0;
  record(
    'pii: normalize+hash e-mail',
    'Web Crypto SHA-256 digest (hex) of the normalized e-mail',
    await compare(
      async () =>
        hex(await crypto.subtle.digest('SHA-256', normalized[i++ & 1023] ?? new Uint8Array(0))),
      () => {
        const n = normalizeEmail(raw[j++ & 1023]);
        return n.ok ? sha256ForPlatform(n.value) : null;
      },
      options,
    ),
  );

  const nonce = new Uint8Array(12).fill(2);
  record(
    `core: aes-256-gcm seal 256 B (${cryptoBackend})`,
    'Web Crypto AES-256-GCM encrypt',
    await compare(
      () => crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, webKey, small),
      () => aes256GcmSeal(keyBytes, nonce, small),
      options,
    ),
  );
  record(
    `core: sha256 256 B (${cryptoBackend})`,
    'Web Crypto SHA-256 digest',
    await compare(
      () => crypto.subtle.digest('SHA-256', small),
      () => sha256(small),
      options,
    ),
  );
  return { runtime, cryptoBackend, figures };
}
