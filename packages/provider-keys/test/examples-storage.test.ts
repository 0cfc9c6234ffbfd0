// The @example blocks of the storage half's TSDoc (createProviderKeys, its facades, errors and
// the secrets adapter), run as written, asserting what their comments promise.
import { isCofferError, redact } from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createMemoryVaultStore, createVault, createVaultReader } from '@coffer/vault';
import { describe, expect, it } from 'vitest';
import {
  builtInProviders,
  createProviderKeys,
  createProviderRegistry,
  type FallbackReason,
  type PlatformKeySource,
  ProviderKeyBusyError,
  ProviderKeyConflictError,
  type ProviderKeyEvent,
  type ProviderKeyInfo,
  ProviderKeyNotFoundError,
  type ProviderKeyRef,
  type ProviderKeysOptions,
  type ProviderKeyTestResult,
  ProviderKeyUnavailableError,
  type ProviderKeyWriteOptions,
  platformKeysFromSecrets,
  type ReportFailureResult,
  type ResolvedProviderKey,
} from '../src/index.js';

function setup(platformKeys?: PlatformKeySource) {
  const store = createMemoryVaultStore();
  const envelope = createEnvelope({
    provider: createLocalKeyProvider(
      Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
    ),
  });
  const options: ProviderKeysOptions = {
    providers: createProviderRegistry(builtInProviders),
    vault: createVault({ store, envelope }),
    reader: createVaultReader({ store, envelope, audit: { emit: () => {} } }),
    ...(platformKeys === undefined ? {} : { platformKeys }),
  };
  return createProviderKeys(options);
}

describe('TSDoc examples of the storage half', () => {
  it('createProviderKeys', async () => {
    const keys = setup((provider) => (provider === 'anthropic' ? 'sk-ant-platform' : undefined));
    const r = await keys.resolve('org_acme', 'anthropic');
    expect(r.source).toBe('platform');
  });

  it('ProviderKeys: set, resolve, reportFailure, fallback', async () => {
    const keys = setup(() => 'sk-proj-platform-key-0000000000');
    await keys.forOwner('org_acme').set('openai', `sk-proj-${'A'.repeat(40)}x7Qa`);
    const used = await keys.resolve('org_acme', 'openai');
    expect(used.source).toBe('customer');
    const outcome = await keys.reportFailure(used.ref, { status: 401 });
    expect(outcome.action).toBe('marked_invalid');
    expect((await keys.resolve('org_acme', 'openai')).source).toBe('platform');
  });

  it('ScopedProviderKeys', async () => {
    const keys = setup();
    const acme = keys.forOwner('org_acme');
    await acme.set('openai', `sk-proj-${'A'.repeat(40)}x7Qa`);
    await acme.disable('openai');
    expect((await acme.list())[0]?.status).toBe('disabled');
    const e = await keys
      .forOwner('org_other')
      .enable('openai')
      .catch((x: unknown) => x);
    expect(isCofferError(e, 'PROVIDER_KEY_NOT_FOUND')).toBe(true);
  });

  it('errors', () => {
    const nf = new ProviderKeyNotFoundError('openai');
    expect(nf.code).toBe('PROVIDER_KEY_NOT_FOUND');
    expect(nf.details).toEqual({ provider: 'openai' });
    expect(new ProviderKeyConflictError('openai', 'restore').code).toBe('PROVIDER_KEY_CONFLICT');
    expect(new ProviderKeyBusyError('openai').retryable).toBe(true);
    expect(new ProviderKeyUnavailableError('mistral', 'no_key').details).toEqual({
      provider: 'mistral',
      reason: 'no_key',
    });
  });

  it('platformKeysFromSecrets', () => {
    const source = platformKeysFromSecrets({
      openai: { current: () => ({ value: redact('sk-proj-platform') }) },
    });
    expect((source('openai') as { expose(): string }).expose()).toBe('sk-proj-platform');
    expect(source('anthropic')).toBeUndefined();
    expect(() => platformKeysFromSecrets(null as never)).toThrow(/accessors/);
    expect(() => platformKeysFromSecrets({ openai: {} as never })).toThrow(/current/);
  });

  it('the type examples', async () => {
    const platformKeys: PlatformKeySource = (provider) =>
      provider === 'openai' ? 'sk-proj-from-env' : undefined;
    expect(platformKeys('openai')).toBe('sk-proj-from-env');
    const line = (k: ProviderKeyInfo) =>
      `${k.provider} ${k.displayPrefix} ${k.status}${k.invalid ? ` (${k.invalid.reason})` : ''}`;
    const keys = setup();
    const info = await keys.forOwner('o').set('openai', `sk-proj-${'A'.repeat(40)}x7Qa`);
    expect(line(info)).toBe('openai sk-proj-…x7Qa active');
    const header = (r: ResolvedProviderKey) => ({ authorization: `Bearer ${r.key.expose()}` });
    const resolved = await keys.resolve('o', 'openai');
    expect(header(resolved).authorization).toBe(`Bearer sk-proj-${'A'.repeat(40)}x7Qa`);
    const log = (ref: ProviderKeyRef) => `${ref.owner}/${ref.provider} via ${ref.source} key`;
    expect(log(resolved.ref)).toBe('o/openai via customer key');
    const fellBack = (r: ReportFailureResult) =>
      r.action === 'marked_invalid' || r.action === 'rate_limited';
    expect(fellBack(await keys.reportFailure(resolved.ref, { status: 503 }))).toBe(false);
    const ok = (t: ProviderKeyTestResult) => t.result.status === 'valid';
    expect(ok({ result: { status: 'valid' }, recorded: true, key: info })).toBe(true);
    const reason: FallbackReason = 'invalid';
    const options: ProviderKeyWriteOptions = { actor: 'user_7 via dashboard' };
    expect([reason, options.actor]).toEqual(['invalid', 'user_7 via dashboard']);
    const seen: string[] = [];
    const onEvent = (event: ProviderKeyEvent) => {
      if (event.type === 'key_invalidated')
        seen.push(`tell ${event.owner}: ${event.provider} key ${event.reason}`);
    };
    onEvent({
      type: 'key_invalidated',
      owner: 'o',
      provider: 'openai',
      keyId: info.id,
      version: 1,
      reason: 'key_rejected',
      trigger: 'upstream',
      at: new Date(),
    });
    expect(seen).toEqual(['tell o: openai key key_rejected']);
  });
});
