// Webhook signatures: the committed known-answer vectors (computed with Python's hmac), Stripe
// compatibility, verification across a rotation and past retention, the replay window, and a
// hostile-header table plus a property test (verify never throws, never accepts garbage).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isCofferError } from '@coffer/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createMemorySecretSource,
  createSecretsClient,
  createSecretsManager,
  createWebhookSigner,
  defineSecrets,
  type ReplayGuard,
  SignatureError,
  secret,
} from '../src/index.js';
import { countingSource, keyText, owner } from './helpers.js';

interface Vector {
  name: string;
  versions: Array<{ version: number; storedText: string }>;
  secretEncoding: 'text' | 'bytes';
  timestamp: number;
  payloadUtf8?: string;
  payloadHex?: string;
  signWith: 'current' | 'accepted';
  header: string;
}
const { vectors } = JSON.parse(
  readFileSync(new URL('./fixtures/webhook-signature-v1.json', import.meta.url), 'utf8'),
) as { vectors: Vector[] };

const hookApp = (encoding: 'text' | 'bytes' = 'text') =>
  defineSecrets({
    ...owner,
    surfaces: ['api'],
    secrets: {
      hook:
        encoding === 'text'
          ? secret.static({ consumers: ['api'] })
          : secret.random({ consumers: ['api'], encoding: 'bytes' }),
    },
  });

async function signerFor(
  versions: Array<[number, string]>,
  options: Parameters<typeof createWebhookSigner>[1] = {},
  encoding: 'text' | 'bytes' = 'text',
) {
  const source = countingSource();
  source.set('hook', versions);
  const api = await createSecretsClient(hookApp(encoding), { surface: 'api', source });
  return createWebhookSigner(api.secret('hook') as never, options);
}

const payloadOf = (v: Vector): string | Uint8Array =>
  v.payloadUtf8 ?? new Uint8Array(Buffer.from(v.payloadHex ?? '', 'hex'));

describe('known-answer vectors', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s', async (_, v) => {
    const signer = await signerFor(
      v.versions.map((x) => [x.version, x.storedText]),
      { signWith: v.signWith, now: () => v.timestamp * 1000 },
      v.secretEncoding,
    );
    const payload = payloadOf(v);
    expect(signer.sign(payload, { timestamp: v.timestamp })).toBe(v.header);
    expect(signer.sign(payload)).toBe(v.header);
    await expect(signer.verify(payload, v.header)).resolves.toEqual({
      ok: true,
      version: v.versions[0]?.version,
      timestamp: v.timestamp,
    });
  });

  it('a string payload and its UTF-8 bytes sign alike', async () => {
    const signer = await signerFor([[1, keyText(1)]], { now: () => 1_767_225_600_000 });
    const text = '{"name":"Zoë ☕ 東京"}';
    expect(signer.sign(text)).toBe(signer.sign(new TextEncoder().encode(text)));
  });
});

describe('Stripe compatibility', () => {
  it('a receiver that knows only the secret verifies with the Stripe recipe, ignoring kid', async () => {
    const text = 'whsec_partner_only_knows_this_text_0123456789';
    const signer = await signerFor([[5, text]]);
    const body = '{"id":"evt_9"}';
    const header = signer.sign(body);
    // What a Stripe-style receiver does: split on ",", take t and every v1, HMAC "t.body".
    const items = header.split(',').map((kv) => kv.split('=') as [string, string]);
    const t = items.find(([k]) => k === 't')?.[1] ?? '';
    const expected = createHmac('sha256', text).update(`${t}.${body}`).digest();
    const matches = items
      .filter(([k]) => k === 'v1')
      .some(([, v]) => timingSafeEqual(Buffer.from(v, 'hex'), expected));
    expect(matches).toBe(true);
  });

  it('verifies a header made by the Stripe recipe (no kid), across accepted versions', async () => {
    const signer = await signerFor([
      [2, keyText(2)],
      [1, keyText(1)],
    ]);
    const t = Math.floor(Date.now() / 1000);
    const body = 'payload';
    const old = createHmac('sha256', keyText(1)).update(`${t}.${body}`).digest('hex');
    await expect(signer.verify(body, `t=${t},v1=${old}`)).resolves.toMatchObject({
      ok: true,
      version: 1,
    });
    // Stripe's test-mode extra scheme v0 is ignored, not an error.
    await expect(signer.verify(body, `t=${t},v1=${old},v0=deadbeef`)).resolves.toMatchObject({
      ok: true,
    });
  });
});

describe('rotation', () => {
  const app = defineSecrets({
    ...owner,
    surfaces: ['sender', 'receiver'],
    secrets: { hook: secret.random({ consumers: ['sender', 'receiver'] }) },
  });

  it('keeps verifying through a rotation; refuses a version past retention', async () => {
    const source = createMemorySecretSource({ acceptVersions: 2 });
    const manager = createSecretsManager(app, { source });
    await manager.rotate('hook');
    const sender = await createSecretsClient(app, { surface: 'sender', source });
    const receiver = await createSecretsClient(app, { surface: 'receiver', source });
    const send = createWebhookSigner(sender.secret('hook'));
    const sendAll = createWebhookSigner(sender.secret('hook'), { signWith: 'accepted' });
    const receive = createWebhookSigner(receiver.secret('hook'));
    const fromV1 = send.sign('a');
    const fromV1NoKid = sendAll.sign('a');

    await manager.rotate('hook');
    // The receiver learns of v2 first: v1 signatures still verify (overlap).
    await receiver.invalidate();
    await expect(receive.verify('a', fromV1)).resolves.toMatchObject({ ok: true, version: 1 });
    expect((await receive.verify('a', fromV1NoKid)).ok).toBe(true);
    // Then the sender: it signs with v2, and the receiver accepts that too.
    await sender.invalidate();
    const fromV2 = send.sign('a');
    expect(fromV2).toContain(',kid=2,');
    await expect(receive.verify('a', fromV2)).resolves.toMatchObject({ ok: true, version: 2 });
    // signWith 'accepted' writes one v1 per accepted version: either secret verifies it.
    expect(sendAll.sign('a').match(/v1=/g)).toHaveLength(2);

    await manager.rotate('hook');
    await receiver.invalidate();
    // v1 is past retention (two versions accepted: 3 and 2).
    await expect(receive.verify('a', fromV1)).resolves.toEqual({
      ok: false,
      reason: 'version-not-accepted',
      code: 'SIGNATURE_VERSION_NOT_ACCEPTED',
    });
    await expect(receive.verify('a', fromV1NoKid)).resolves.toMatchObject({ reason: 'mismatch' });
    await expect(receive.verify('a', fromV2)).resolves.toMatchObject({ ok: true, version: 2 });
  });

  it('a kid that names an accepted version but another key’s signature is a mismatch', async () => {
    const signer = await signerFor([
      [2, keyText(2)],
      [1, keyText(1)],
    ]);
    const header = signer.sign('x');
    await expect(signer.verify('x', header.replace('kid=2', 'kid=1'))).resolves.toMatchObject({
      reason: 'mismatch',
    });
  });
});

describe('timestamps and tolerance', () => {
  const t0 = 1_767_225_600;
  it('accepts within the tolerance both ways; expired and clock-skew beyond it', async () => {
    let now = t0 * 1000;
    const signer = await signerFor([[1, keyText(1)]], { now: () => now });
    const header = signer.sign('body');
    now = (t0 + 300) * 1000 + 999;
    expect((await signer.verify('body', header)).ok).toBe(true);
    now = (t0 + 301) * 1000;
    await expect(signer.verify('body', header)).resolves.toEqual({
      ok: false,
      reason: 'expired',
      code: 'SIGNATURE_EXPIRED',
    });
    await expect(signer.verify('body', header, { toleranceSec: 600 })).resolves.toMatchObject({
      ok: true,
    });
    now = (t0 - 300) * 1000;
    expect((await signer.verify('body', header)).ok).toBe(true);
    now = (t0 - 301) * 1000;
    await expect(signer.verify('body', header)).resolves.toEqual({
      ok: false,
      reason: 'clock-skew',
      code: 'SIGNATURE_CLOCK_SKEW',
    });
  });

  it('changing t breaks the signature (it is signed)', async () => {
    const signer = await signerFor([[1, keyText(1)]], { now: () => t0 * 1000 });
    const header = signer.sign('body');
    await expect(
      signer.verify('body', header.replace(`t=${t0}`, `t=${t0 + 1}`)),
    ).resolves.toMatchObject({ reason: 'mismatch' });
  });

  it('verifyOrThrow throws a SignatureError with the reason’s code', async () => {
    let now = t0 * 1000;
    const signer = await signerFor([[1, keyText(1)]], { now: () => now });
    const header = signer.sign('body');
    await expect(signer.verifyOrThrow('body', header)).resolves.toEqual({
      version: 1,
      timestamp: t0,
    });
    now += 3_600_000;
    const error = await signer.verifyOrThrow('body', header).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignatureError);
    expect((error as SignatureError).code).toBe('SIGNATURE_EXPIRED');
    expect((error as SignatureError).status).toBe(401);
    expect((error as Error).message).not.toContain(header.slice(-20));
  });
});

describe('replay guard', () => {
  function memoryGuard() {
    const seen = new Map<string, number>();
    const calls: string[] = [];
    const guard: ReplayGuard = {
      claim(id, expiresAtSec) {
        calls.push(id);
        if (seen.has(id)) return false;
        seen.set(id, expiresAtSec);
        return true;
      },
    };
    return { guard, calls, seen };
  }

  it('accepts a delivery once, refuses its replay, and records it until t + tolerance', async () => {
    const { guard, seen } = memoryGuard();
    const signer = await signerFor([[1, keyText(1)]], {
      replayGuard: guard,
      now: () => 1_000_000_000_000,
    });
    const header = signer.sign('body');
    expect((await signer.verify('body', header)).ok).toBe(true);
    await expect(signer.verify('body', header)).resolves.toEqual({
      ok: false,
      reason: 'replayed',
      code: 'SIGNATURE_REPLAYED',
    });
    expect([...seen.values()]).toEqual([1_000_000_000 + 300]);
  });

  it('is consulted only after the signature verified (forgeries never fill it)', async () => {
    const { guard, calls } = memoryGuard();
    const signer = await signerFor([[1, keyText(1)]], { replayGuard: guard });
    const header = signer.sign('body');
    for (let i = 0; i < 50; i++) {
      await signer.verify(
        'body',
        header.replace(/v1=[0-9a-f]{4}/, `v1=${i.toString(16).padStart(4, '0')}`),
      );
    }
    await signer.verify('other body', header);
    expect(calls).toEqual([]);
  });

  it('a guard that throws or answers garbage is REPLAY_GUARD_FAILED (retryable), not a pass', async () => {
    for (const claim of [
      () => {
        throw new Error('redis down');
      },
      async () => 'yes',
      async () => undefined,
    ]) {
      const signer = await signerFor([[1, keyText(1)]], { replayGuard: { claim } as never });
      const error = await signer.verify('body', signer.sign('body')).catch((e: unknown) => e);
      expect(isCofferError(error, 'REPLAY_GUARD_FAILED')).toBe(true);
      expect((error as { retryable: boolean }).retryable).toBe(true);
    }
  });
});

describe('hostile headers', () => {
  const t = Math.floor(Date.now() / 1000);
  const sig = 'a'.repeat(64);
  const malformed: unknown[] = [
    undefined,
    null,
    42,
    ['t=1', `v1=${sig}`],
    { t, v1: sig },
    '',
    ',',
    '=',
    't=',
    `v1=${sig}`,
    `t=${t}`,
    `t=${t},v1=`,
    `t=${t}, v1=${sig}`,
    ` t=${t},v1=${sig}`,
    `t=${t},v1=${sig},`,
    `t=${t},,v1=${sig}`,
    `t=${t},t=${t},v1=${sig}`,
    `t=0${t},v1=${sig}`,
    `t=+${t},v1=${sig}`,
    `t=-1,v1=${sig}`,
    `t=${t}.5,v1=${sig}`,
    `t=1e9,v1=${sig}`,
    `t=${'9'.repeat(13)},v1=${sig}`,
    `t=${t},v1=${sig.toUpperCase()}`,
    `t=${t},v1=${sig.slice(1)}`,
    `t=${t},v1=${sig}0`,
    `t=${t},v1=${'g'.repeat(64)}`,
    `t=${t},kid=0,v1=${sig}`,
    `t=${t},kid=01,v1=${sig}`,
    `t=${t},kid=1,kid=1,v1=${sig}`,
    `t=${t},kid=1234567890,v1=${sig}`,
    `t=${t},kid=-1,v1=${sig}`,
    `t=${t}${`,v1=${sig}`.repeat(9)}`,
    `t=${t},v1=${sig}${',x=1'.repeat(15)}`,
    `t=${t},v1=${sig},X=1`,
    `t=${t},v1=${sig},v2=é`,
    `t=${t},v1=${sig},ab cd=1`,
    `t=${t},v1=${sig},x=${'y'.repeat(257)}`,
    `t=${t},v1=${sig},x=${'y'.repeat(5000)}`,
    `t=${t}\u0000,v1=${sig}`,
    `t=${t},v1=${sig}\n`,
    `t=١٢٣,v1=${sig}`,
  ];

  it.each(malformed.map((h) => [JSON.stringify(h)?.slice(0, 60), h]))(
    '%s is malformed, never a throw',
    async (_, header) => {
      const signer = await signerFor([[1, keyText(1)]]);
      await expect(signer.verify('body', header)).resolves.toEqual({
        ok: false,
        reason: 'malformed',
        code: 'SIGNATURE_MALFORMED',
      });
    },
  );

  it('arbitrary strings and mutations of a valid header never throw, and verify only with t and v1 intact', async () => {
    const signer = await signerFor([[1, keyText(1)]]);
    const valid = signer.sign('body');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.stringMatching(/^t=[0-9]{1,12}(,(kid|v1|t|v0)=[0-9a-f]{0,70}){0,5}$/),
          fc
            .tuple(fc.nat(valid.length - 1), fc.string({ minLength: 1, maxLength: 1 }))
            .map(([i, c]) => valid.slice(0, i) + c + valid.slice(i + 1)),
        ),
        async (header) => {
          const result = await signer.verify('body', header);
          // kid is a hint, not signed (as in Stripe's scheme): a mutation that only touches it can
          // still verify, by trying every accepted version. t and v1 must be intact for that.
          if (result.ok)
            expect(header.split(',').filter((e) => /^(t|v1)=/.test(e))).toEqual(
              valid.split(',').filter((e) => /^(t|v1)=/.test(e)),
            );
        },
      ),
      { numRuns: 400 },
    );
  });

  it('every hex digit of the signature counts: changing any one is a mismatch', async () => {
    const signer = await signerFor([[1, keyText(1)]]);
    const header = signer.sign('body');
    const at = header.indexOf('v1=') + 3;
    for (let i = at; i < at + 64; i++) {
      const digit = header[i] === '0' ? '1' : '0';
      const altered = header.slice(0, i) + digit + header.slice(i + 1);
      await expect(signer.verify('body', altered), `digit ${i - at}`).resolves.toMatchObject({
        ok: false,
        reason: 'mismatch',
      });
    }
  });

  it('a tampered payload is a mismatch, byte by byte', async () => {
    const signer = await signerFor([[1, keyText(1)]]);
    const body = new TextEncoder().encode('{"amount":100,"currency":"eur"}');
    const header = signer.sign(body);
    for (let i = 0; i < body.length; i++) {
      const altered = body.slice();
      altered[i] = (altered[i] ?? 0) ^ 1;
      expect((await signer.verify(altered, header)).ok).toBe(false);
    }
    expect((await signer.verify(body.subarray(1), header)).ok).toBe(false);
    expect((await signer.verify(new Uint8Array([...body, 0x20]), header)).ok).toBe(false);
  });
});

describe('programmer errors', () => {
  it('a payload that is not a string or bytes is INVALID_INPUT', async () => {
    const signer = await signerFor([[1, keyText(1)]]);
    const untyped = signer as unknown as {
      sign(p: unknown): string;
      verify(p: unknown, h: unknown): Promise<unknown>;
    };
    for (const payload of [undefined, 42, { a: 1 }, [1, 2]]) {
      expect(() => untyped.sign(payload)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
      await expect(untyped.verify(payload, 't=1,v1=00')).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
    }
  });

  it('a key shorter than 32 bytes is refused when signing and verifying', async () => {
    const signer = await signerFor([[1, 'whsec_short']]);
    expect(() => signer.sign('x')).toThrow(
      expect.objectContaining({ code: 'SECRET_INVALID_FORMAT' }),
    );
    await expect(
      signer.verify('x', `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`),
    ).rejects.toMatchObject({ code: 'SECRET_INVALID_FORMAT' });
  });

  it('bad options are INVALID_INPUT', async () => {
    const source = countingSource();
    source.set('hook', [[1, keyText(1)]]);
    const api = await createSecretsClient(hookApp(), { surface: 'api', source });
    const untyped = createWebhookSigner as unknown as (s: unknown, o?: unknown) => unknown;
    for (const [accessor, options] of [
      [undefined, {}],
      [{}, {}],
      [api.secret('hook'), { toleranceSec: 0 }],
      [api.secret('hook'), { toleranceSec: 1.5 }],
      [api.secret('hook'), { toleranceSec: 8 * 86_400 }],
      [api.secret('hook'), { signWith: 'all' }],
      [api.secret('hook'), { replayGuard: {} }],
    ] as const) {
      expect(() => untyped(accessor, options)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
    const signer = createWebhookSigner(api.secret('hook'));
    await expect(signer.verify('x', 't=1,v1=00', { toleranceSec: -1 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(() => signer.sign('x', { timestamp: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

describe('on a real socket', () => {
  it('a signature header sent twice (Node joins them with ", ") is malformed, one is accepted', async () => {
    const { createServer } = await import('node:http');
    const { connect } = await import('node:net');
    const signer = await signerFor([[1, keyText(1)]]);
    const body = '{"id":"evt_socket"}';
    const header = signer.sign(body);
    const other = signer.sign('{"id":"evt_other"}');
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void signer
          .verify(new Uint8Array(Buffer.concat(chunks)), req.headers['coffer-signature'])
          .then((r) => res.end(r.ok ? 'ok' : r.reason));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const send = (headers: string[]) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let reply = '';
        socket.on('data', (d) => {
          reply += d.toString();
        });
        socket.on('end', () => resolve(reply.split('\r\n\r\n').slice(1).join('')));
        socket.on('error', reject);
        socket.end(
          [
            'POST /hook HTTP/1.1',
            'Host: 127.0.0.1',
            'Connection: close',
            `Content-Length: ${Buffer.byteLength(body)}`,
            ...headers,
            '',
            body,
          ].join('\r\n'),
        );
      });
    try {
      expect(await send([`Coffer-Signature: ${header}`])).toContain('ok');
      expect(await send([`Coffer-Signature: ${header}`, `Coffer-Signature: ${header}`])).toContain(
        'malformed',
      );
      expect(await send([`Coffer-Signature: ${other}`, `Coffer-Signature: ${header}`])).toContain(
        'malformed',
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
