// The @example blocks of the public TSDoc, run as written, asserting what their comments promise.
import { isCofferError, redact } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  ANTHROPIC_VERSION,
  anthropic,
  builtInProviders,
  checkKeyFormat,
  classifyUpstreamFailure,
  createAnthropicProvider,
  createGoogleProvider,
  createMetaProvider,
  createMistralProvider,
  createOpenAIProvider,
  createProviderRegistry,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_VALIDATION_TIMEOUT_MS,
  DISPLAY_ELLIPSIS,
  DISPLAY_TAIL_MAX,
  defineProvider,
  displayPrefix,
  google,
  KEY_FORMAT_REASONS,
  MAX_KEY_LENGTH,
  MAX_RETRY_AFTER_MS,
  mistral,
  openai,
  type ProviderDefinition,
  ProviderDefinitionError,
  parseRetryAfter,
  UnknownProviderError,
  validateKey,
} from '../src/index.js';

describe('TSDoc examples', () => {
  it('errors', () => {
    const err = new UnknownProviderError('cohere');
    expect(err.code).toBe('UNKNOWN_PROVIDER');
    expect(err.details).toEqual({ provider: 'cohere' });
    expect(new ProviderDefinitionError('acme', 'classifyFailure', 'threw').details).toEqual({
      provider: 'acme',
      step: 'classifyFailure',
      problem: 'threw',
    });
  });

  it('ProviderDefinition and defineProvider', () => {
    const acme: ProviderDefinition = defineProvider({
      id: 'acme',
      displayName: 'Acme AI',
      publicPrefixes: ['acme_'],
      checkFormat: (key) =>
        /^acme_[A-Za-z0-9]{32}$/.test(key) ? { ok: true } : { ok: false, reason: 'wrong_prefix' },
      validation: {
        request: (key) => ({
          url: 'https://api.acme.example/v1/me',
          method: 'GET',
          headers: { authorization: `Bearer ${key}` },
        }),
      },
      classifyFailure: (reply) =>
        reply.status === 401
          ? { kind: 'auth_failed', reason: 'key_rejected' }
          : reply.status === 429
            ? { kind: 'rate_limited' }
            : { kind: 'other' },
    });
    expect(acme.id).toBe('acme');
    const copy = defineProvider({ ...mistral, id: 'mistral-eu', displayName: 'Mistral (EU)' });
    expect(copy.id).toBe('mistral-eu');
    expect(Object.isFrozen(copy)).toBe(true);
  });

  it('checkKeyFormat and the providers’ format examples', () => {
    expect(checkKeyFormat(openai, `sk-proj-${'a'.repeat(40)}`)).toEqual({ ok: true });
    expect(checkKeyFormat(openai, `sk-ant-api03-${'a'.repeat(93)}AA`)).toEqual({
      ok: false,
      reason: 'wrong_provider',
    });
    expect(checkKeyFormat(anthropic, ` sk-ant-api03-${'a'.repeat(93)}AA`)).toEqual({
      ok: false,
      reason: 'whitespace',
    });
    expect(checkKeyFormat(openai, `sk-admin-${'a'.repeat(40)}`)).toEqual({
      ok: false,
      reason: 'admin_key',
    });
    expect(checkKeyFormat(anthropic, `sk-ant-admin01-${'a'.repeat(93)}AA`)).toEqual({
      ok: false,
      reason: 'admin_key',
    });
    expect(checkKeyFormat(google, `AIza${'a'.repeat(35)}`)).toEqual({ ok: true });
    expect(checkKeyFormat(google, `AIza${'a'.repeat(34)}`)).toEqual({
      ok: false,
      reason: 'wrong_length',
    });
    expect(checkKeyFormat(mistral, 'aBcD1234eFgH5678iJkL9012mNoP3456')).toEqual({ ok: true });
    expect(checkKeyFormat(mistral, `sk-proj-${'a'.repeat(40)}`)).toEqual({
      ok: false,
      reason: 'wrong_provider',
    });
  });

  it('displayPrefix', () => {
    expect(displayPrefix(openai, `sk-proj-${'A'.repeat(150)}x7Qa`)).toBe('sk-proj-…x7Qa');
    expect(displayPrefix(anthropic, `sk-ant-api03-${'B'.repeat(91)}igAA`)).toBe(
      'sk-ant-api03-…igAA',
    );
    expect(displayPrefix(mistral, 'abcdefghijklmnopqrstuvwxyz012345')).toBe('…2345');
    expect(displayPrefix(mistral, 'abcdefghijklmnop')).toBe('…op');
  });

  it('classifyUpstreamFailure', () => {
    expect(classifyUpstreamFailure(openai, { status: 401 })).toEqual({
      kind: 'auth_failed',
      reason: 'key_rejected',
    });
    expect(
      classifyUpstreamFailure(openai, { status: 429, headers: { 'retry-after': '20' } }),
    ).toEqual({
      kind: 'rate_limited',
      retryAfterMs: 20000,
    });
    expect(
      classifyUpstreamFailure(google, {
        status: 400,
        body: {
          error: {
            code: 400,
            status: 'INVALID_ARGUMENT',
            details: [
              { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' },
            ],
          },
        },
      }),
    ).toEqual({ kind: 'auth_failed', reason: 'key_rejected' });
    expect(classifyUpstreamFailure(openai, { status: 503 })).toEqual({ kind: 'other' });
  });

  it('validateKey', async () => {
    const rejecting = async () =>
      new Response(
        JSON.stringify({ error: { code: 'invalid_api_key', type: 'invalid_request_error' } }),
        {
          status: 401,
        },
      );
    const result = await validateKey(createOpenAIProvider(), `sk-proj-${'a'.repeat(40)}`, {
      fetch: rejecting,
      timeoutMs: 3000,
    });
    expect(result).toEqual({ status: 'invalid', reason: 'key_rejected', httpStatus: 401 });
  });

  it('parseRetryAfter', () => {
    expect(parseRetryAfter('120')).toBe(120000);
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 7))).toBe(
      30000,
    );
    expect(parseRetryAfter('-1')).toBeUndefined();
    expect(parseRetryAfter('999999')).toBe(3600000);
    expect(MAX_RETRY_AFTER_MS).toBe(3600000);
  });

  it('createProviderRegistry and builtInProviders', () => {
    const providers = createProviderRegistry(builtInProviders);
    expect(providers.ids()).toEqual(['openai', 'anthropic', 'google', 'mistral']);
    expect(providers.get('anthropic').displayName).toBe('Anthropic');
    let caught = false;
    try {
      providers.get('cohere');
    } catch (e) {
      caught = isCofferError(e, 'UNKNOWN_PROVIDER');
    }
    expect(caught).toBe(true);
    expect(builtInProviders.map((p) => p.id)).toEqual(['openai', 'anthropic', 'google', 'mistral']);
  });

  it('the provider factories', () => {
    const viaProxy = createOpenAIProvider({ baseUrl: 'https://llm-proxy.internal.example' });
    expect(viaProxy.id).toBe('openai');
    const strict = createAnthropicProvider({ check: 'message', model: 'claude-haiku-4-5' });
    expect(strict.id).toBe('anthropic');
    const generating = createGoogleProvider({ check: 'generate', model: 'gemini-2.5-flash' });
    expect(generating.displayName).toBe('Google Gemini');
    expect(createMistralProvider().publicPrefixes).toEqual([]);
    const meta = createMetaProvider({
      appId: '1234567890',
      appAccessToken: redact('1234567890|app-secret-from-your-secret-store'),
      requiredScopes: ['ads_management'],
    });
    expect(meta.id).toBe('meta');
  });

  it('factory options are checked', () => {
    const bad: (() => unknown)[] = [
      () => createOpenAIProvider({ baseUrl: 'http://api.openai.com' }),
      () => createOpenAIProvider({ baseUrl: 'https://user:pw@api.openai.com' }),
      () => createOpenAIProvider({ baseUrl: 'https://api.openai.com/?x=1' }),
      () => createOpenAIProvider({ baseUrl: 'not a url' }),
      () => createAnthropicProvider({ check: 'message' }),
      () => createAnthropicProvider({ check: 'ping' as 'models' }),
      () => createAnthropicProvider({ check: 'message', model: 'a b' }),
      () => createGoogleProvider({ check: 'generate', model: '../v1/other' }),
      () => createGoogleProvider({ check: 'chat' as 'models' }),
    ];
    for (const make of bad) {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect(isCofferError(error, 'INVALID_INPUT')).toBe(true);
    }
    expect(createOpenAIProvider({ baseUrl: 'http://127.0.0.1:8080/' }).id).toBe('openai');
  });

  it('the exported constants', async () => {
    expect(checkKeyFormat(openai, `sk-proj-${'a'.repeat(MAX_KEY_LENGTH)}`)).toEqual({
      ok: false,
      reason: 'too_long',
    });
    expect(displayPrefix(openai, `sk-proj-${'A'.repeat(150)}x7Qa`).split(DISPLAY_ELLIPSIS)).toEqual(
      ['sk-proj-', 'x7Qa'],
    );
    expect(displayPrefix(mistral, 'abcdefghijklmnopqrstuvwxyz012345').length).toBe(
      1 + DISPLAY_TAIL_MAX,
    );
    expect(DISPLAY_TAIL_MAX).toBe(4);
    const result = checkKeyFormat(openai, 'not a key');
    expect(result).toEqual({ ok: false, reason: 'whitespace' });
    expect(!result.ok && KEY_FORMAT_REASONS.includes(result.reason)).toBe(true);
    const request = await anthropic.validation.request(`sk-ant-api03-${'a'.repeat(93)}AA`);
    expect(request.headers['anthropic-version'] === ANTHROPIC_VERSION).toBe(true);
    expect(ANTHROPIC_VERSION).toBe('2023-06-01');
    expect(parseRetryAfter('31536000') === MAX_RETRY_AFTER_MS).toBe(true);
    expect(DEFAULT_VALIDATION_TIMEOUT_MS).toBe(5000);
    expect(DEFAULT_MAX_BODY_BYTES).toBe(65536);
  });
});
