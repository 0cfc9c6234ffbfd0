// pii: normalize + hash of e-mails against one bare SHA-256 of the already-normalized strings; a
// batch of 1M { email, phone } records on one core; and Meta's own SDK normalization.
import * as nodeCrypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { hashUserDataBatch, meta, normalizeEmail, sha256ForPlatform } from '@coffer/pii';
import fbSdk from 'facebook-nodejs-business-sdk';
import type { BenchContext } from './harness.ts';

const oneShot = (
  nodeCrypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }
).hash;
const sha256Hex = (text: string): string =>
  oneShot === undefined
    ? nodeCrypto.createHash('sha256').update(text).digest('hex')
    : oneShot('sha256', text, 'hex');

const FIRST = ['john', 'Mary', 'J.O.E', 'anne-marie', 'Ünal', 'li', 'Zoë', 'ahmed'];
const DOMAINS = ['Example.com', 'gmail.com', 'YAHOO.co.uk', 'mail.example.org', 'outlook.com'];

export default async function (b: BenchContext): Promise<void> {
  const raw = Array.from({ length: 1024 }, (_, i) => {
    const name = `${FIRST[i % FIRST.length]}${i}`;
    const email = `${name}@${DOMAINS[i % DOMAINS.length]}`;
    return i % 3 === 0 ? `  ${email.toUpperCase()} ` : email;
  });
  const normalized = raw.map((e) => {
    const n = normalizeEmail(e);
    if (!n.ok) throw new Error('bench e-mail did not normalize');
    return n.value;
  });
  let i = 0;
  let j = 0;
  await b.compare({
    name: 'pii: normalize+hash e-mail vs crypto.hash sha256',
    target: 0.5,
    baseline: {
      name: 'node:crypto hash of normalized',
      fn: () => sha256Hex(normalized[i++ & 1023] ?? ''),
    },
    subject: () => {
      const n = normalizeEmail(raw[j++ & 1023]);
      return n.ok ? sha256ForPlatform(n.value) : null;
    },
  });

  const { ServerSideUtils } = fbSdk;
  // The SDK throws on addresses its validator refuses (e.g. non-ASCII local parts): compare on the
  // ones it accepts, on both sides.
  const accepted = raw.filter((e) => {
    try {
      ServerSideUtils.normalizeAndHash(e, 'em');
      return true;
    } catch {
      return false;
    }
  });
  const n = accepted.length;
  let k = 0;
  let m = 0;
  await b.compare({
    name: 'pii: normalize+hash e-mail vs facebook-nodejs-business-sdk normalizeAndHash',
    target: 1,
    baseline: {
      name: 'ServerSideUtils.normalizeAndHash(em)',
      fn: () => ServerSideUtils.normalizeAndHash(accepted[k++ % n] ?? '', 'em'),
    },
    subject: () => {
      const email = normalizeEmail(accepted[m++ % n]);
      return email.ok ? sha256ForPlatform(email.value) : null;
    },
  });

  const count = Number(process.env.BENCH_PII_RECORDS ?? 1_000_000);
  const records = Array.from({ length: count }, (_, n) => ({
    email: raw[n & 1023] ?? '',
    phone: `+1 (650) 555-${String(n % 10_000).padStart(4, '0')}`,
  }));
  const start = performance.now();
  const results = hashUserDataBatch(records, { profile: meta });
  const seconds = (performance.now() - start) / 1000;
  if (results.length !== count || !results.every((r) => r.ok)) throw new Error('batch failed');
  b.report({
    name: `pii: batch of ${count.toLocaleString('en-US')} { email, phone } records for Meta, one core`,
    value: Math.round(count / seconds),
    unit: 'records/s',
  });
}
