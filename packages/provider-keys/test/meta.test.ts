// The Meta provider: a token checked with the Graph API's debug_token against a local stand-in,
// and the Graph API's error codes for the host's own calls.
import { isCofferError, redact } from '@coffer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkKeyFormat,
  classifyUpstreamFailure,
  createMetaProvider,
  type MetaProviderOptions,
  validateKey,
} from '../src/index.js';
import { META_APP_TOKEN, META_TOKEN, OPENAI_KEY } from './keys.js';
import { expectNoSecret } from './leaks.js';
import { hang, hugeBody, json, type StandIn, startStandIn } from './stand-in.js';

const SECRETS = [META_TOKEN, META_APP_TOKEN];
let server: StandIn;

beforeAll(async () => {
  server = await startStandIn(json(200, {}));
});
afterAll(async () => {
  await server.close();
});

function meta(overrides: Partial<MetaProviderOptions> = {}) {
  return createMetaProvider({
    appId: '1234567890',
    appAccessToken: redact(META_APP_TOKEN),
    baseUrl: server.baseUrl,
    requiredScopes: ['ads_management'],
    ...overrides,
  });
}

const debugData = (data: Record<string, unknown>) =>
  json(200, {
    data: {
      app_id: '1234567890',
      type: 'SYSTEM_USER',
      application: 'Example',
      expires_at: 0,
      is_valid: true,
      scopes: ['ads_management', 'business_management'],
      ...data,
    },
  });

describe('validation with debug_token', () => {
  it('a valid token of this app with the required scopes', async () => {
    server.answer(debugData({}));
    const result = await validateKey(meta(), META_TOKEN);
    expect(result).toEqual({ status: 'valid' });
    const request = server.requests.at(-1);
    const url = new URL(request?.url ?? '', server.baseUrl);
    expect(url.pathname).toBe('/v25.0/debug_token');
    // Meta documents both only as query parameters: the one validator with secrets in a URL.
    expect(url.searchParams.get('input_token')).toBe(META_TOKEN);
    expect(url.searchParams.get('access_token')).toBe(META_APP_TOKEN);
    expectNoSecret(result, SECRETS);
  });

  it('is_valid false is invalid; subcode 463 says it expired', async () => {
    server.answer(
      debugData({
        is_valid: false,
        error: {
          code: 190,
          message: 'Error validating access token: Session has expired',
          subcode: 463,
        },
      }),
    );
    expect(await validateKey(meta(), META_TOKEN)).toEqual({ status: 'invalid', reason: 'expired' });
    server.answer(debugData({ is_valid: false, scopes: [] }));
    expect(await validateKey(meta(), META_TOKEN)).toEqual({
      status: 'invalid',
      reason: 'key_rejected',
    });
  });

  it('a token of another app, or without a required scope, is invalid', async () => {
    server.answer(debugData({ app_id: '999' }));
    expect(await validateKey(meta(), META_TOKEN)).toEqual({
      status: 'invalid',
      reason: 'wrong_app',
    });
    server.answer(debugData({ scopes: ['business_management'] }));
    expect(await validateKey(meta(), META_TOKEN)).toEqual({
      status: 'invalid',
      reason: 'missing_scope',
    });
    expect(await validateKey(meta({ requiredScopes: [] }), META_TOKEN)).toEqual({
      status: 'valid',
    });
  });

  it('a top-level error is about the app token: never marks the customer token invalid', async () => {
    server.answer(
      json(400, {
        error: {
          message: 'Invalid OAuth access token.',
          type: 'OAuthException',
          code: 190,
          fbtrace_id: 'x',
        },
      }),
    );
    expect(await validateKey(meta(), META_TOKEN)).toEqual({
      status: 'unreachable',
      reason: 'validator_misconfigured',
      httpStatus: 400,
    });
  });

  it('throttling: the Business Use Case header, else Retry-After', async () => {
    const usage = JSON.stringify({
      '112233': [
        { type: 'ads_management', call_count: 100, estimated_time_to_regain_access: 7 },
        { type: 'ads_insights', call_count: 10, estimated_time_to_regain_access: 0 },
      ],
    });
    server.answer(
      json(
        400,
        { error: { code: 80004, message: 'too many calls' } },
        { 'x-business-use-case-usage': usage },
      ),
    );
    expect(await validateKey(meta(), META_TOKEN)).toEqual({
      status: 'rate_limited',
      retryAfterMs: 7 * 60_000,
      httpStatus: 400,
    });
    server.answer(json(403, { error: { code: 4 } }, { 'retry-after': '60' }));
    expect(await validateKey(meta(), META_TOKEN)).toEqual({
      status: 'rate_limited',
      retryAfterMs: 60_000,
      httpStatus: 403,
    });
  });

  it('answers it cannot read are unexpected, never invalid', async () => {
    for (const answer of [
      json(200, { data: [] }),
      json(200, 'not json at all'),
      hugeBody(200, 2 << 20),
    ]) {
      server.answer(answer);
      expect(await validateKey(meta(), META_TOKEN)).toEqual({
        status: 'unreachable',
        reason: 'unexpected_response',
      });
    }
    server.answer(json(500, { error: { code: 2 } }));
    expect(await validateKey(meta(), META_TOKEN)).toEqual({
      status: 'unreachable',
      reason: 'server_error',
      httpStatus: 500,
    });
    server.answer(hang);
    expect(await validateKey(meta(), META_TOKEN, { timeoutMs: 200 })).toEqual({
      status: 'unreachable',
      reason: 'timeout',
    });
  });

  it('the app token can come from a function; one that fails is a definition error without cause', async () => {
    server.answer(debugData({}));
    let calls = 0;
    const rotating = meta({
      appAccessToken: async () => {
        calls++;
        return redact(META_APP_TOKEN);
      },
    });
    expect(await validateKey(rotating, META_TOKEN)).toEqual({ status: 'valid' });
    expect(calls).toBe(1);
    const failing = meta({
      appAccessToken: async () => {
        throw new Error(`secret store down; token was ${META_APP_TOKEN}`);
      },
    });
    const error = await validateKey(failing, META_TOKEN).catch((e: unknown) => e);
    expect(isCofferError(error, 'PROVIDER_DEFINITION_FAILED')).toBe(true);
    expect((error as Error).cause).toBeUndefined();
    expectNoSecret(error, SECRETS);
    const plain = meta({ appAccessToken: (() => META_APP_TOKEN) as unknown as () => never });
    expect(
      isCofferError(
        await validateKey(plain, META_TOKEN).catch((e: unknown) => e),
        'PROVIDER_DEFINITION_FAILED',
      ),
    ).toBe(true);
  });
});

describe('options and format', () => {
  it('refuses malformed options', () => {
    const bad: unknown[] = [
      { appId: 'abc', appAccessToken: redact(META_APP_TOKEN) },
      { appId: '123', appAccessToken: META_APP_TOKEN },
      { appId: '123', appAccessToken: redact('short') },
      { appId: '123', appAccessToken: redact(META_APP_TOKEN), graphApiVersion: '25' },
      { appId: '123', appAccessToken: redact(META_APP_TOKEN), requiredScopes: ['Ads Management'] },
      {
        appId: '123',
        appAccessToken: redact(META_APP_TOKEN),
        baseUrl: 'http://graph.facebook.com',
      },
      { appId: '123', appAccessToken: redact(META_APP_TOKEN), id: 'Meta' },
      null,
    ];
    for (const options of bad) {
      let error: unknown;
      try {
        createMetaProvider(options as MetaProviderOptions);
      } catch (e) {
        error = e;
      }
      expect(isCofferError(error, 'INVALID_INPUT')).toBe(true);
      expectNoSecret(error, SECRETS);
    }
  });

  it('tokens are opaque: characters and length only, and no other provider key', () => {
    const provider = meta();
    expect(checkKeyFormat(provider, META_TOKEN)).toEqual({ ok: true });
    expect(checkKeyFormat(provider, META_APP_TOKEN)).toEqual({ ok: true });
    expect(checkKeyFormat(provider, OPENAI_KEY)).toEqual({ ok: false, reason: 'wrong_provider' });
    expect(checkKeyFormat(provider, 'EAAshort')).toEqual({ ok: false, reason: 'wrong_length' });
    expect(checkKeyFormat(provider, `${META_TOKEN}#`)).toEqual({
      ok: false,
      reason: 'invalid_characters',
    });
  });
});

describe('classifying the host’s own Graph API calls', () => {
  const provider = () => meta();
  const graphError = (code: number, subcode?: number) => ({
    error: {
      message: 'x',
      type: 'OAuthException',
      code,
      ...(subcode === undefined ? {} : { error_subcode: subcode }),
      fbtrace_id: 'x',
    },
  });
  const cases: [number, unknown, unknown][] = [
    [400, graphError(190), { kind: 'auth_failed', reason: 'key_rejected' }],
    [400, graphError(190, 463), { kind: 'auth_failed', reason: 'expired' }],
    [400, graphError(190, 460), { kind: 'auth_failed', reason: 'key_rejected' }],
    [400, graphError(102), { kind: 'auth_failed', reason: 'key_rejected' }],
    [403, graphError(10), { kind: 'auth_failed', reason: 'permission_denied' }],
    [403, graphError(200), { kind: 'auth_failed', reason: 'permission_denied' }],
    [403, graphError(299), { kind: 'auth_failed', reason: 'permission_denied' }],
    [400, graphError(17), { kind: 'rate_limited' }],
    [400, graphError(613), { kind: 'rate_limited' }],
    [400, graphError(80_014), { kind: 'rate_limited' }],
    [400, graphError(80_015), { kind: 'other' }],
    [400, graphError(100), { kind: 'other' }],
    [500, graphError(1), { kind: 'other' }],
    [401, undefined, { kind: 'auth_failed', reason: 'key_rejected' }],
    [429, undefined, { kind: 'rate_limited' }],
    [502, undefined, { kind: 'other' }],
  ];
  it.each(cases)('HTTP %i %j → %j', (status, body, expected) => {
    expect(classifyUpstreamFailure(provider(), { status, body })).toEqual(expected);
  });

  it('a malformed usage header is ignored, not trusted', () => {
    for (const usage of ['{', '[]', '{"1":[{"estimated_time_to_regain_access":-3}]}', 'null']) {
      expect(
        classifyUpstreamFailure(provider(), {
          status: 400,
          headers: { 'x-business-use-case-usage': usage },
          body: graphError(4),
        }),
      ).toEqual({ kind: 'rate_limited' });
    }
  });
});
