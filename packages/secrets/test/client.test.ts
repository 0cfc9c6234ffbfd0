// The client: what it loads, what it refuses before touching the source, how it serves versions,
// when it reloads (TTL by timer and by clock), how it survives a failing or hostile source, and
// that invalidation waits for a read that started after it.
import { inspect } from 'node:util';
import { isCofferError, Redacted, redact } from '@coffer/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createMemorySecretSource,
  createSecretsClient,
  createSecretsManager,
  defineSecrets,
  type SecretSource,
  secret,
} from '../src/index.js';
import { countingSource, keyText, owner, sampleApp } from './helpers.js';

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(isCofferError(error, code), `${code}, got ${String(error)}`).toBe(true);
    return error as Error;
  }
  throw new Error(`expected ${code}, it resolved`);
}

function throwsWith(fn: () => unknown, code: string): Error {
  try {
    fn();
  } catch (error) {
    expect(isCofferError(error, code), `${code}, got ${String(error)}`).toBe(true);
    return error as Error;
  }
  throw new Error(`expected ${code}, nothing thrown`);
}

function seeded() {
  const source = countingSource();
  source.set('stripeApiKey', [[1, 'sk_test_abcdefgh12']]);
  source.set('webhookSigning', [
    [3, keyText(3)],
    [2, keyText(2)],
  ]);
  source.set('adminToken', [[1, 'admin-token-value']]);
  return source;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('loading and grants', () => {
  it('loads exactly the secrets granted to its surface', async () => {
    const source = seeded();
    const worker = await createSecretsClient(sampleApp(), { surface: 'worker', source });
    expect(source.calls).toEqual([['read', 'webhookSigning']]);
    expect(worker.secret('webhookSigning').current().version).toBe(3);
  });

  it('refuses an ungranted or unknown secret before any source access', async () => {
    const source = seeded();
    const api = await createSecretsClient(sampleApp(), { surface: 'api', source });
    const before = source.calls.length;
    const untyped = api as unknown as { secret(name: unknown): unknown };
    const denied = throwsWith(() => untyped.secret('adminToken'), 'SECRET_NOT_GRANTED');
    expect((denied as { status?: number }).status).toBe(403);
    throwsWith(() => untyped.secret('stripeApiKy'), 'SECRET_UNKNOWN');
    throwsWith(() => untyped.secret(42), 'SECRET_UNKNOWN');
    throwsWith(() => untyped.secret('__proto__'), 'SECRET_UNKNOWN');
    throwsWith(() => untyped.secret('toString'), 'SECRET_UNKNOWN');
    await rejectsWith(
      (api as unknown as { invalidate(n: string): Promise<void> }).invalidate('adminToken'),
      'SECRET_NOT_GRANTED',
    );
    expect(source.calls.length).toBe(before);
    expect(source.calls.filter(([, name]) => name === 'adminToken')).toEqual([]);
  });

  it('names every missing secret, and where the source looked, in one SECRET_NOT_SET', async () => {
    const source = countingSource();
    const error = await rejectsWith(
      createSecretsClient(sampleApp(), { surface: 'api', source }),
      'SECRET_NOT_SET',
    );
    expect(error.message).toContain('test slot stripeApiKey');
    expect(error.message).toContain('test slot webhookSigning');
    expect((error as { details?: unknown }).details).toEqual({
      secrets: [
        { secret: 'stripeApiKey', where: 'test slot stripeApiKey' },
        { secret: 'webhookSigning', where: 'test slot webhookSigning' },
      ],
    });
  });

  it('refuses a stored value that fails its format, without quoting it', async () => {
    const source = seeded();
    source.set('stripeApiKey', [[1, 'pk_live_not_a_secret_key']]);
    const error = await rejectsWith(
      createSecretsClient(sampleApp(), { surface: 'api', source }),
      'SECRET_INVALID_FORMAT',
    );
    expect(JSON.stringify(error)).not.toContain('pk_live');
    expect(error.message).not.toContain('pk_live');
  });

  it('refuses a random secret that is not its declared length or encoding', async () => {
    for (const text of [keyText(1).slice(0, 42), `${keyText(1)}A`, 'x'.repeat(43), '']) {
      const source = seeded();
      source.set('webhookSigning', [[1, text]]);
      await rejectsWith(
        createSecretsClient(sampleApp(), { surface: 'worker', source }),
        text === '' ? 'SECRET_INVALID_FORMAT' : 'SECRET_INVALID_FORMAT',
      );
    }
  });

  it('refuses bad options with INVALID_INPUT', async () => {
    const source = seeded();
    const app = sampleApp();
    const untyped = createSecretsClient as unknown as (d: unknown, o: unknown) => Promise<unknown>;
    await rejectsWith(untyped({}, { surface: 'api', source }), 'INVALID_INPUT');
    await rejectsWith(untyped(app, { surface: 'nope', source }), 'INVALID_INPUT');
    await rejectsWith(untyped(app, { surface: 'api', source: {} }), 'INVALID_INPUT');
    await rejectsWith(
      untyped(app, { surface: 'api', source, cache: { ttlMs: 0 } }),
      'INVALID_INPUT',
    );
    await rejectsWith(
      untyped(app, { surface: 'api', source, cache: { ttlMs: 1000, maxStaleMs: 999 } }),
      'INVALID_INPUT',
    );
    await rejectsWith(untyped(app, null), 'INVALID_INPUT');
  });
});

describe('versions', () => {
  it('current, verifying (current first, newest first) and version(n)', async () => {
    const source = countingSource();
    source.set(
      'webhookSigning',
      [
        [2, keyText(2)],
        [4, keyText(4)],
        [3, keyText(3)],
      ],
      3,
    );
    const worker = await createSecretsClient(sampleApp(), { surface: 'worker', source });
    const hook = worker.secret('webhookSigning');
    expect(hook.current().version).toBe(3);
    expect(hook.current().value.expose()).toBe(keyText(3));
    expect(hook.verifying().map((v) => v.version)).toEqual([3, 4, 2]);
    expect((await hook.version(2)).value.expose()).toBe(keyText(2));
    expect(source.calls.filter(([m]) => m === 'readVersion')).toEqual([]);
  });

  it('reads a retained version beyond the accepted ones from the source, once per TTL', async () => {
    const app = sampleApp();
    const source = createMemorySecretSource({ acceptVersions: 1 });
    const manager = createSecretsManager(app, { source });
    for (let i = 0; i < 3; i++) await manager.rotate('webhookSigning');
    const worker = await createSecretsClient(app, { surface: 'worker', source });
    const hook = worker.secret('webhookSigning');
    expect(hook.verifying().map((v) => v.version)).toEqual([3]);
    const physical = hook.ref.physicalName;
    const before = source.reads.get(physical) ?? 0;
    const v1 = await hook.version(1);
    expect(v1.version).toBe(1);
    expect(await hook.version(1)).toBe(v1);
    expect(source.reads.get(physical)).toBe(before + 1);
    await rejectsWith(hook.version(9), 'SECRET_VERSION_NOT_FOUND');
    for (const bad of [0, -1, 1.5, Number.NaN, '1', 2 ** 53]) {
      await rejectsWith(hook.version(bad as number), 'INVALID_INPUT');
    }
  });

  it('a bytes secret exposes a fresh copy each time: the cached key cannot be changed', async () => {
    const app = defineSecrets({
      ...owner,
      surfaces: ['api'],
      secrets: { key: secret.random({ consumers: ['api'], encoding: 'bytes' }) },
    });
    const source = createMemorySecretSource();
    await createSecretsManager(app, { source }).rotate('key');
    const api = await createSecretsClient(app, { surface: 'api', source });
    const first = api.secret('key').current().value.expose();
    expect(first).toBeInstanceOf(Uint8Array);
    expect(first.length).toBe(32);
    const copy = first.slice();
    first.fill(0);
    expect(api.secret('key').current().value.expose()).toEqual(copy);
  });

  it('never shows a value in inspect, JSON or String', async () => {
    const source = seeded();
    const api = await createSecretsClient(sampleApp(), { surface: 'api', source });
    const accessor = api.secret('stripeApiKey');
    const shown = [
      inspect(accessor, { depth: 10, showHidden: true }),
      inspect(accessor.current(), { depth: 10 }),
      JSON.stringify(accessor.current()),
      JSON.stringify(accessor.verifying()),
      String(accessor.current().value),
      inspect(api, { depth: 10, showHidden: true }),
    ].join('\n');
    expect(shown).not.toContain('sk_test_abcdefgh12');
    expect(shown).toContain('[REDACTED]');
  });
});

describe('caching and reloads', () => {
  it('serves warm reads from memory: no source access within the TTL', async () => {
    const source = seeded();
    const worker = await createSecretsClient(sampleApp(), { surface: 'worker', source });
    const reads = source.calls.length;
    for (let i = 0; i < 10_000; i++) worker.secret('webhookSigning').current();
    expect(source.calls.length).toBe(reads);
  });

  it('with an injected clock: past the TTL one read reloads in the background, stale until then', async () => {
    let now = 1_000_000;
    const source = seeded();
    const worker = await createSecretsClient(sampleApp(), {
      surface: 'worker',
      source,
      now: () => now,
      cache: { ttlMs: 1000, maxStaleMs: 10_000 },
    });
    const hook = worker.secret('webhookSigning');
    source.set('webhookSigning', [
      [4, keyText(4)],
      [3, keyText(3)],
    ]);
    now += 999;
    expect(hook.current().version).toBe(3);
    expect(source.calls.length).toBe(1);
    now += 1;
    // Past the TTL: this read serves the old value and starts exactly one reload.
    expect(hook.current().version).toBe(3);
    expect(hook.current().version).toBe(3);
    expect(source.calls.length).toBe(2);
    await vi.waitFor(() => expect(hook.current().version).toBe(4));
    expect(hook.verifying().map((v) => v.version)).toEqual([4, 3]);
  });

  it('with unref’d timers (Node): the TTL timer clears the hot value; the next read reloads', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const source = seeded();
    const worker = await createSecretsClient(sampleApp(), {
      surface: 'worker',
      source,
      cache: { ttlMs: 5000 },
    });
    const hook = worker.secret('webhookSigning');
    source.set('webhookSigning', [[7, keyText(7)]]);
    vi.advanceTimersByTime(4999);
    expect(hook.current().version).toBe(3);
    expect(source.calls.length).toBe(1);
    vi.advanceTimersByTime(1);
    expect(hook.current().version).toBe(3);
    expect(source.calls.length).toBe(2);
    await vi.waitFor(() => expect(hook.current().version).toBe(7));
    expect(hook.verifying().map((v) => v.version)).toEqual([7]);
  });

  it('keeps serving through a failing source until maxStaleMs, then SECRET_UNAVAILABLE; recovers', async () => {
    let now = 0;
    const source = seeded();
    const worker = await createSecretsClient(sampleApp(), {
      surface: 'worker',
      source,
      now: () => now,
      cache: { ttlMs: 1000, maxStaleMs: 5000 },
    });
    const hook = worker.secret('webhookSigning');
    source.failing.add('webhookSigning');
    now = 4000;
    expect(hook.current().version).toBe(3);
    expect(source.calls.length).toBe(2);
    // Let that reload fail; within the retry pause no new one starts, however many reads come.
    await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < 100; i++) hook.current();
    expect(source.calls.length).toBe(2);
    now = 5001;
    const error = throwsWith(() => hook.current(), 'SECRET_UNAVAILABLE');
    expect((error as { retryable?: boolean }).retryable).toBe(true);
    throwsWith(() => hook.verifying(), 'SECRET_UNAVAILABLE');
    expect(error.message).not.toContain('LEAKED');
    await rejectsWith(hook.invalidate(), 'SECRET_SOURCE_FAILED');
    source.failing.delete('webhookSigning');
    await hook.invalidate();
    expect(hook.current().version).toBe(3);
  });

  it('invalidate() waits for a read that started after it, not for one already under way', async () => {
    const source = seeded();
    const worker = await createSecretsClient(sampleApp(), {
      surface: 'worker',
      source,
      cache: { ttlMs: 10 },
    });
    const hook = worker.secret('webhookSigning');
    // A background reload starts and hangs (the source answers slowly)…
    const release = source.hold('webhookSigning');
    await new Promise((r) => setTimeout(r, 20));
    hook.current();
    expect(source.calls.length).toBe(2);
    // …then the secret rotates and the change is announced.
    source.set('webhookSigning', [
      [4, keyText(4)],
      [3, keyText(3)],
    ]);
    let settled = false;
    const invalidated = hook.invalidate().then(() => {
      settled = true;
    });
    const again = worker.invalidate('webhookSigning');
    await new Promise((r) => setTimeout(r, 5));
    expect(settled).toBe(false);
    release();
    await Promise.all([invalidated, again]);
    // Two invalidations, one read after them: 1 initial + 1 slow + 1 after the invalidation.
    expect(source.calls.length).toBe(3);
    expect(hook.current().version).toBe(4);
  });

  it('concurrent reads past the TTL start one reload between them', async () => {
    let now = 0;
    const source = seeded();
    const worker = await createSecretsClient(sampleApp(), {
      surface: 'worker',
      source,
      now: () => now,
      cache: { ttlMs: 100 },
    });
    now = 1000;
    await Promise.all(
      Array.from({ length: 50 }, async () => worker.secret('webhookSigning').current()),
    );
    expect(source.calls.length).toBe(2);
  });
});

describe('a hostile or careless source', () => {
  const stored = (version: unknown, value: unknown, extra: Record<string, unknown> = {}) => ({
    version,
    value,
    ...extra,
  });
  const good = stored(1, redact(keyText(1)));
  const answers: Array<[string, unknown]> = [
    ['a string', 'sk_live_LEAKED_VALUE'],
    ['null', null],
    ['no accepted list', { current: good }],
    ['an empty accepted list', { current: good, accepted: [] }],
    ['a current not accepted', { current: stored(2, redact(keyText(2))), accepted: [good] }],
    ['duplicate versions', { current: good, accepted: [good, good] }],
    [
      'version 0',
      { current: stored(0, redact(keyText(1))), accepted: [stored(0, redact(keyText(1)))] },
    ],
    [
      'version 1.5',
      { current: stored(1.5, redact(keyText(1))), accepted: [stored(1.5, redact(keyText(1)))] },
    ],
    [
      'version "1"',
      { current: stored('1', redact(keyText(1))), accepted: [stored('1', redact(keyText(1)))] },
    ],
    [
      'a plain string value',
      { current: stored(1, 'sk_live_LEAKED_VALUE'), accepted: [stored(1, 'sk_live_LEAKED_VALUE')] },
    ],
    [
      'a Redacted number',
      { current: stored(1, new Redacted(42)), accepted: [stored(1, new Redacted(42))] },
    ],
    [
      'a look-alike Redacted',
      { current: stored(1, { expose: () => keyText(1) }), accepted: [good] },
    ],
    [
      'two texts for the current version',
      { current: stored(1, redact(keyText(9))), accepted: [good] },
    ],
    [
      'metadata that is not strings',
      { current: stored(1, redact(keyText(1)), { metadata: { a: 1 } }), accepted: [good] },
    ],
    [
      'a createdAt that is not a number',
      { current: stored(1, redact(keyText(1)), { createdAt: 'yesterday' }), accepted: [good] },
    ],
    [
      '17 accepted versions',
      {
        current: good,
        accepted: Array.from({ length: 17 }, (_, i) => stored(i + 1, redact(keyText(i + 1)))),
      },
    ],
  ];

  it.each(answers)(
    'answering %s is SECRET_SOURCE_FAILED, and nothing it said is echoed',
    async (_, answer) => {
      const source: SecretSource = {
        kind: 'hostile',
        read: async () => answer as never,
        readVersion: async () => undefined,
      };
      const error = await rejectsWith(
        createSecretsClient(sampleApp(), { surface: 'worker', source }),
        'SECRET_SOURCE_FAILED',
      );
      const shown = `${error.message} ${JSON.stringify(error)} ${inspect(error)}`;
      expect(shown).not.toContain('LEAKED');
      expect(shown).not.toContain(keyText(1));
    },
  );

  it('a foreign error from the source is replaced, its message and cause dropped', async () => {
    const source = seeded();
    source.failing.add('webhookSigning');
    const error = await rejectsWith(
      createSecretsClient(sampleApp(), { surface: 'worker', source }),
      'SECRET_SOURCE_FAILED',
    );
    expect(error.cause).toBeUndefined();
    expect(`${error.message}${JSON.stringify(error)}${inspect(error)}`).not.toContain('LEAKED');
  });

  it('a source whose read is not a function, or that throws synchronously, is handled', async () => {
    const throwing: SecretSource = {
      kind: 'throws',
      read: () => {
        throw new TypeError('sk_live_LEAKED_VALUE');
      },
      readVersion: async () => undefined,
    };
    await rejectsWith(
      createSecretsClient(sampleApp(), { surface: 'worker', source: throwing }),
      'SECRET_SOURCE_FAILED',
    );
  });
});
