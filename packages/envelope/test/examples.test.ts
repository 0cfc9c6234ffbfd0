// Every @example in the package's TSDoc, run as written (imports from the package root; results
// the comments promise are asserted).
import { Redacted } from '@coffer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ContextMap,
  createEnvelope,
  createLocalKeyProvider,
  type EnvelopeAlgorithm,
  type EnvelopeOptions,
  formatKekEntry,
  generateKek,
  InvalidContextError,
  InvalidKeyringError,
  inspectSealed,
  type KekInfo,
  type KekInput,
  type KekStatus,
  type KeyProvider,
  KeyProviderError,
  Keyring,
  type KeyStatus,
  type OpenOptions,
  RetiredKekError,
  type SealedHeader,
  type SealOptions,
  UnknownKekError,
  type WrappedKey,
} from '../src/index.js';

// What the examples read from COFFER_MASTER_KEYS: a primary key 2 and an active key 1.
const MASTER_KEYS = [
  formatKekEntry({ id: 2, status: 'primary' }).expose(),
  formatKekEntry({ id: 1 }).expose(),
].join(',');
const ONE = formatKekEntry({ id: 1, status: 'primary' }).expose();
const saved = process.env.COFFER_MASTER_KEYS;
beforeAll(() => {
  process.env.COFFER_MASTER_KEYS = MASTER_KEYS;
});
afterAll(() => {
  if (saved === undefined) delete process.env.COFFER_MASTER_KEYS;
  else process.env.COFFER_MASTER_KEYS = saved;
});

describe('TSDoc examples', () => {
  it('ContextMap, SealOptions, OpenOptions, EnvelopeAlgorithm, SealedHeader, KekStatus, KekInput', async () => {
    const context: ContextMap = { vaultId: 'v_123', tenant: 'acme', purpose: 'meta-capi-token' };
    const sealOptions: SealOptions = {
      context: { vaultId: 'v_1' },
      algorithm: 'xchacha20-poly1305',
    };
    const openOptions: OpenOptions = { context: { vaultId: 'v_1' } };
    const algorithm: EnvelopeAlgorithm = 'xchacha20-poly1305';
    const header: SealedHeader = { formatVersion: 1, algorithm: 'aes-256-gcm', kekId: '2' };
    const status: KekStatus = 'retired';
    const input: KekInput = { id: 3, key: generateKek(), status: 'primary' };
    // They are accepted where the API takes them.
    const envelope = createEnvelope({
      provider: createLocalKeyProvider(Keyring.fromKeys([input])),
    });
    const sealed = await envelope.seal('x', { ...sealOptions, context });
    expect(inspectSealed(sealed).algorithm).toBe(algorithm);
    expect(await envelope.open(await envelope.seal('y', sealOptions), openOptions)).toEqual(
      new TextEncoder().encode('y'),
    );
    expect(header.kekId).toBe('2');
    expect(status).toBe('retired');
  });

  it('EnvelopeOptions', async () => {
    const options: EnvelopeOptions = {
      provider: createLocalKeyProvider(
        Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
      ),
      algorithm: 'aes-256-gcm',
    };
    expect(inspectSealed(await createEnvelope(options).seal('v', { context: {} })).kekId).toBe('1');
  });

  it('Envelope (rotation and rewrap)', async () => {
    const key1 = generateKek();
    const before = createEnvelope({
      provider: createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: key1, status: 'primary' }])),
    });
    const context = { vaultId: 'v_1' };
    const sealed = await before.seal('secret', { context });
    const after = createEnvelope({
      provider: createLocalKeyProvider(
        Keyring.fromKeys([
          { id: 2, key: generateKek(), status: 'primary' },
          { id: 1, key: key1 },
        ]),
      ),
    });
    const rewrapped = await after.rewrap(sealed, { context });
    expect(inspectSealed(rewrapped).kekId).toBe('2');
    expect(rewrapped.subarray(rewrapped.length - 22)).toEqual(sealed.subarray(sealed.length - 22));
    expect(new TextDecoder().decode(await after.open(rewrapped, { context }))).toBe('secret');
  });

  it('createEnvelope', async () => {
    const keyring = Keyring.fromEnv(process.env.COFFER_MASTER_KEYS, {
      variable: 'COFFER_MASTER_KEYS',
    });
    const envelope = createEnvelope({ provider: createLocalKeyProvider(keyring) });
    const context = { vaultId: 'v_1', tenant: 'acme' };
    const sealed = await envelope.sealToString('EAAG-meta-token', { context });
    expect(sealed.startsWith('cf1.')).toBe(true);
    const plaintext = await envelope.openString(sealed, { context });
    expect(new TextDecoder().decode(plaintext)).toBe('EAAG-meta-token');
  });

  it('createLocalKeyProvider', async () => {
    const keyring = Keyring.fromEnv(process.env.COFFER_MASTER_KEYS, {
      variable: 'COFFER_MASTER_KEYS',
    });
    const provider = createLocalKeyProvider(keyring);
    const envelope = createEnvelope({ provider });
    const sealed = await envelope.seal('token', { context: { vaultId: 'v_1' } });
    expect(
      new TextDecoder().decode(await envelope.open(sealed, { context: { vaultId: 'v_1' } })),
    ).toBe('token');
  });

  it('inspectSealed', async () => {
    const keyring = Keyring.fromKeys([{ id: 2, key: generateKek(), status: 'primary' }]);
    const envelope = createEnvelope({ provider: createLocalKeyProvider(keyring) });
    const sealed = await envelope.sealToString('secret', { context: { vaultId: 'v_1' } });
    expect(inspectSealed(sealed)).toEqual({
      formatVersion: 1,
      algorithm: 'aes-256-gcm',
      kekId: '2',
    });
  });

  it('errors', () => {
    const err = new UnknownKekError('7');
    expect(err.code).toBe('UNKNOWN_KEK');
    expect(err.details).toEqual({ kekId: '7' });
    expect(new RetiredKekError('1').code).toBe('RETIRED_KEK');
    let caught: unknown;
    try {
      Keyring.fromEnv('*1:not-a-key');
    } catch (e) {
      caught = e;
    }
    expect(caught instanceof InvalidKeyringError).toBe(true);
    expect(new InvalidContextError('context keys must be 1-64 characters').status).toBe(400);
    expect(new KeyProviderError('kms', 'wrapKey returned no wrapped bytes').code).toBe(
      'KEY_PROVIDER_FAILED',
    );
    expect(
      new KeyProviderError('kms', 'unwrapKey threw a non-coffer error', 'ThrottlingException', true)
        .retryable,
    ).toBe(true);
  });

  it('generateKek and formatKekEntry', () => {
    const kek = generateKek();
    expect(kek.expose().length).toBe(32);
    expect(String(kek)).toBe('[REDACTED]');
    const entry = formatKekEntry({ id: 3, key: generateKek(), status: 'primary' });
    expect(String(entry)).toBe('[REDACTED]');
    expect(entry.expose().startsWith('*3:')).toBe(true);
    expect(Keyring.fromEnv(entry.expose()).primaryKekId).toBe('3');
  });

  it('KeyStatus, WrappedKey, KeyProvider', async () => {
    const status: KeyStatus = Keyring.fromKeys([
      { id: 1, key: generateKek(), status: 'primary' },
    ]).status('1');
    expect(status).toBe('primary');
    const provider = createLocalKeyProvider(
      Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
    );
    const wrapped: WrappedKey = await provider.wrapKey(new Uint8Array(32), new Uint8Array(0));
    expect(wrapped.kekId).toBe('1');
    expect(wrapped.wrapped.length).toBe(72);
    const typed: KeyProvider = createLocalKeyProvider(
      Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
    );
    expect(await typed.primaryKekId()).toBe('1');
  });

  it('Keyring', () => {
    const keyring = Keyring.fromEnv(process.env.COFFER_MASTER_KEYS, {
      variable: 'COFFER_MASTER_KEYS',
    });
    expect(keyring.primaryKekId).toBe('2');
    expect(keyring.list()).toEqual([
      { id: '2', status: 'primary' },
      { id: '1', status: 'active' },
    ]);
    let unset: unknown;
    try {
      Keyring.fromEnv(undefined, { variable: 'COFFER_MASTER_KEYS' });
    } catch (e) {
      unset = e;
    }
    expect(unset).toBeInstanceOf(InvalidKeyringError);
    expect((unset as InvalidKeyringError).message).toMatch(/^COFFER_MASTER_KEYS is not set\. /);
    const fromKeys = Keyring.fromKeys([
      { id: 2, key: generateKek(), status: 'primary' },
      { id: 1, key: generateKek() },
    ]);
    expect(fromKeys.status('1')).toBe('active');
    const k = Keyring.fromKeys([{ id: 'k1', key: generateKek(), status: 'primary' }]);
    expect(k.status('k1')).toBe('primary');
    expect(k.status('k9')).toBe('unknown');
    expect(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]).list()).toEqual([
      { id: '1', status: 'primary' },
    ]);
    const infos: KekInfo[] = Keyring.fromKeys([
      { id: 1, key: generateKek(), status: 'primary' },
    ]).list();
    expect(infos).toEqual([{ id: '1', status: 'primary' }]);
    const text = formatKekEntry({ id: 1, status: 'primary' }).expose();
    expect(Keyring.fromEnv(text).toEnv().expose() === text).toBe(true);
    expect(
      JSON.stringify(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }])),
    ).toBe('{"primaryKekId":"1","keys":[{"id":"1","status":"primary"}]}');
    expect(
      String(
        Keyring.fromKeys([
          { id: 2, key: generateKek(), status: 'primary' },
          { id: 1, key: generateKek(), status: 'retired' },
        ]),
      ),
    ).toBe('Keyring(*2, !1)');
    expect(Redacted.isRedacted(Keyring.fromEnv(ONE).toEnv())).toBe(true);
  });
});

describe('README usage', () => {
  it('runs as written', async () => {
    const keyring = Keyring.fromEnv(process.env.COFFER_MASTER_KEYS, {
      variable: 'COFFER_MASTER_KEYS',
    });
    const envelope = createEnvelope({ provider: createLocalKeyProvider(keyring) });
    const context = { vaultId: 'vlt_01J8ZQ', owner: 'org_42', kind: 'meta-capi-token' };
    const sealed = await envelope.seal('EAAG-secret-token', { context });
    expect(sealed).toBeInstanceOf(Uint8Array);
    const plaintext = await envelope.open(sealed, { context });
    expect(new TextDecoder().decode(plaintext)).toBe('EAAG-secret-token');
    const text = await envelope.sealToString('EAAG-secret-token', { context });
    expect(text.startsWith('cf1.AQEB')).toBe(true);
    expect(new TextDecoder().decode(await envelope.openString(text, { context }))).toBe(
      'EAAG-secret-token',
    );
    expect(inspectSealed(text)).toEqual({ formatVersion: 1, algorithm: 'aes-256-gcm', kekId: '2' });
    const rewrapped = await envelope.rewrapString(text, { context });
    expect(rewrapped).toBe(text);
  });
});
