// What part 2's reportFailure acts on: the classification of an answer from the host's real call.
// Tables of each provider's documented answers, header shapes a host may have, and hostile bodies.
import { utf8Encode } from '@coffer/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anthropic,
  builtInProviders,
  classifyUpstreamFailure,
  defineProvider,
  type FailureClassification,
  google,
  MAX_RETRY_AFTER_MS,
  mistral,
  openai,
  type ProviderDefinition,
  type UpstreamResponse,
} from '../src/index.js';
import { OPENAI_KEY } from './keys.js';
import { expectNoSecret } from './leaks.js';

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const authFailed = (reason: string): FailureClassification => ({ kind: 'auth_failed', reason });
const limited = (retryAfterMs?: number): FailureClassification =>
  retryAfterMs === undefined ? { kind: 'rate_limited' } : { kind: 'rate_limited', retryAfterMs };
const other: FailureClassification = { kind: 'other' };

function classify(provider: ProviderDefinition, response: UpstreamResponse) {
  return classifyUpstreamFailure(provider, response, { now: NOW });
}

describe('OpenAI', () => {
  const error = (code: string | null, type = 'invalid_request_error') => ({
    error: { message: 'x', type, param: null, code },
  });
  it.each<[string, UpstreamResponse, FailureClassification]>([
    [
      '401 invalid_api_key',
      { status: 401, body: error('invalid_api_key') },
      authFailed('key_rejected'),
    ],
    ['401 without a body', { status: 401 }, authFailed('key_rejected')],
    ['403', { status: 403, body: error(null) }, authFailed('permission_denied')],
    [
      '403 unsupported region (about the caller)',
      { status: 403, body: error('unsupported_country_region_territory', 'request_forbidden') },
      other,
    ],
    [
      '429 insufficient_quota',
      { status: 429, body: error('insufficient_quota', 'insufficient_quota') },
      authFailed('quota_exhausted'),
    ],
    ['429 rate limit', { status: 429, body: error('rate_limit_exceeded', 'requests') }, limited()],
    ['429 Retry-After', { status: 429, headers: { 'Retry-After': '7' } }, limited(7000)],
    ['400', { status: 400, body: error('context_length_exceeded') }, other],
    ['404 model', { status: 404, body: error('model_not_found') }, other],
    ['500', { status: 500 }, other],
    ['200 (not a failure)', { status: 200 }, other],
  ])('%s', (_name, response, expected) => {
    expect(classify(openai, response)).toEqual(expected);
  });
});

describe('Anthropic', () => {
  const error = (type: string) => ({
    type: 'error',
    error: { type, message: 'x' },
    request_id: 'req_1',
  });
  it.each<[number, string, FailureClassification]>([
    [401, 'authentication_error', authFailed('key_rejected')],
    [402, 'billing_error', authFailed('billing')],
    [403, 'permission_error', authFailed('permission_denied')],
    [429, 'rate_limit_error', limited()],
    [400, 'invalid_request_error', other],
    [404, 'not_found_error', other],
    [413, 'request_too_large', other],
    [500, 'api_error', other],
    [529, 'overloaded_error', other],
  ])('%i %s', (status, type, expected) => {
    expect(classify(anthropic, { status, body: error(type) })).toEqual(expected);
  });

  it('429: the reset of the exhausted limit when there is no retry-after', () => {
    const headers = new Headers({
      'anthropic-ratelimit-input-tokens-remaining': '0',
      'anthropic-ratelimit-input-tokens-reset': new Date(NOW + 20_000).toISOString(),
      'anthropic-ratelimit-requests-remaining': '3',
      'anthropic-ratelimit-requests-reset': new Date(NOW + 50_000).toISOString(),
    });
    expect(classify(anthropic, { status: 429, headers })).toEqual(limited(20_000));
    headers.set('retry-after', '4');
    expect(classify(anthropic, { status: 429, headers })).toEqual(limited(4000));
  });
});

describe('Google', () => {
  const body = (status: string, reason?: string, extra: unknown[] = []) => ({
    error: {
      code: 0,
      message: 'x',
      status,
      details: [
        ...(reason === undefined
          ? []
          : [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason }]),
        ...extra,
      ],
    },
  });
  it.each<[string, UpstreamResponse, FailureClassification]>([
    [
      '400 API_KEY_INVALID',
      { status: 400, body: body('INVALID_ARGUMENT', 'API_KEY_INVALID') },
      authFailed('key_rejected'),
    ],
    ['400 INVALID_ARGUMENT', { status: 400, body: body('INVALID_ARGUMENT') }, other],
    ['400 FAILED_PRECONDITION', { status: 400, body: body('FAILED_PRECONDITION') }, other],
    ['400 without a body', { status: 400 }, other],
    [
      '401',
      { status: 401, body: body('UNAUTHENTICATED', 'ACCESS_TOKEN_TYPE_UNSUPPORTED') },
      authFailed('key_rejected'),
    ],
    ['403', { status: 403, body: body('PERMISSION_DENIED') }, authFailed('permission_denied')],
    [
      '403 SERVICE_DISABLED',
      { status: 403, body: body('PERMISSION_DENIED', 'SERVICE_DISABLED') },
      authFailed('service_disabled'),
    ],
    [
      '403 API_KEY_SERVICE_BLOCKED',
      { status: 403, body: body('PERMISSION_DENIED', 'API_KEY_SERVICE_BLOCKED') },
      authFailed('permission_denied'),
    ],
    [
      '429 RetryInfo',
      {
        status: 429,
        body: body('RESOURCE_EXHAUSTED', undefined, [
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' },
        ]),
      },
      limited(1500),
    ],
    [
      '429 a RetryInfo of another @type is ignored',
      {
        status: 429,
        body: body('RESOURCE_EXHAUSTED', undefined, [{ '@type': 'x/RetryInfo', retryDelay: '9s' }]),
      },
      limited(),
    ],
    ['500', { status: 500, body: body('INTERNAL') }, other],
    ['503', { status: 503, body: body('UNAVAILABLE') }, other],
  ])('%s', (_name, response, expected) => {
    expect(classify(google, response)).toEqual(expected);
  });

  it('the body may come as text or bytes, as the host read it', () => {
    const text = JSON.stringify(body('INVALID_ARGUMENT', 'API_KEY_INVALID'));
    expect(classify(google, { status: 400, body: text })).toEqual(authFailed('key_rejected'));
    expect(classify(google, { status: 400, body: utf8Encode(text) })).toEqual(
      authFailed('key_rejected'),
    );
    expect(classify(google, { status: 400, body: 'API_KEY_INVALID' })).toEqual(other);
  });
});

describe('Mistral', () => {
  it.each<[UpstreamResponse, FailureClassification]>([
    [{ status: 401, body: { message: 'Unauthorized' } }, authFailed('key_rejected')],
    [{ status: 403 }, authFailed('permission_denied')],
    [{ status: 429, headers: { 'retry-after': '2' } }, limited(2000)],
    [{ status: 422 }, other],
    [{ status: 500 }, other],
  ])('%j', (response, expected) => {
    expect(classify(mistral, response)).toEqual(expected);
  });
});

describe('headers as a host has them', () => {
  it('a fetch Headers, a plain object with any case, Node-style arrays', () => {
    expect(classify(openai, { status: 429, headers: new Headers({ 'Retry-After': '5' }) })).toEqual(
      limited(5000),
    );
    expect(classify(openai, { status: 429, headers: { 'RETRY-AFTER': '5' } })).toEqual(
      limited(5000),
    );
    expect(classify(openai, { status: 429, headers: { 'retry-after': ['5'] } })).toEqual(
      limited(5000),
    );
    expect(classify(openai, { status: 429, headers: { 'retry-after': 5 } })).toEqual(limited(5000));
  });

  it('a single-valued header sent twice is ignored, agreeing or not (fetch joins it to a list)', () => {
    expect(classify(openai, { status: 429, headers: { 'retry-after': ['5', '5'] } })).toEqual(
      limited(),
    );
    expect(classify(openai, { status: 429, headers: { 'retry-after': ['5', '600'] } })).toEqual(
      limited(),
    );
    expect(
      classify(openai, { status: 429, headers: { 'Retry-After': '5', 'retry-after': '600' } }),
    ).toEqual(limited());
    const headers = new Headers();
    headers.append('retry-after', '5');
    headers.append('retry-after', '600');
    expect(classify(openai, { status: 429, headers })).toEqual(limited());
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new Error(OPENAI_KEY);
        },
        ownKeys() {
          throw new Error(OPENAI_KEY);
        },
      },
    );
    expect(classify(openai, { status: 429, headers: proxy })).toEqual(limited());
  });

  it('a fetch Response fits as it is', () => {
    const response = new Response('{"error":{"code":"insufficient_quota"}}', {
      status: 429,
      headers: { 'retry-after': '9' },
    });
    // Its body is a stream the classification does not read: the Retry-After decides.
    expect(classify(openai, response)).toEqual(limited(9000));
  });

  it('waits are capped and a huge header is ignored', () => {
    expect(classify(openai, { status: 429, headers: { 'retry-after': '86400' } })).toEqual(
      limited(MAX_RETRY_AFTER_MS),
    );
    expect(
      classify(openai, { status: 429, headers: { 'retry-after': `${' '.repeat(10_000)}5` } }),
    ).toEqual(limited());
  });
});

describe('hostile bodies never throw and never run a getter', () => {
  it('proxies, getters, cycles, deep nesting, huge strings', () => {
    let getterRan = false;
    const getter = {
      get error() {
        getterRan = true;
        return { code: 'insufficient_quota' };
      },
    };
    const throwingProxy = new Proxy(
      {},
      {
        get() {
          throw new Error(OPENAI_KEY);
        },
        getOwnPropertyDescriptor() {
          throw new Error(OPENAI_KEY);
        },
        ownKeys() {
          throw new Error(OPENAI_KEY);
        },
      },
    );
    const cycle: Record<string, unknown> = {};
    cycle.error = cycle;
    let deep: unknown = { code: 'insufficient_quota' };
    for (let i = 0; i < 100_000; i++) deep = { error: deep };
    const bodies: unknown[] = [
      getter,
      throwingProxy,
      { error: throwingProxy },
      cycle,
      deep,
      { error: { code: 'x'.repeat(10_000_000) } },
      'x'.repeat(1_000_000),
      [1, 2, 3],
      Symbol('s'),
      () => OPENAI_KEY,
      123n,
    ];
    for (const body of bodies) {
      for (const provider of builtInProviders) {
        for (const status of [400, 401, 403, 429, 500]) {
          const result = classify(provider, { status, body });
          expectNoSecret(result, [OPENAI_KEY]);
        }
      }
    }
    expect(getterRan).toBe(false);
    // With the getter not run, a 429 is a rate limit, not insufficient_quota.
    expect(classify(openai, { status: 429, body: getter })).toEqual(limited());
  });

  it('headers that throw are treated as absent', () => {
    const headers = {
      get() {
        throw new Error(OPENAI_KEY);
      },
    };
    expect(classify(openai, { status: 429, headers })).toEqual(limited());
  });

  it('any JSON body: a documented answer, no exception', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.jsonValue(), (status, body) => {
        for (const provider of builtInProviders) {
          const { kind } = classify(provider, { status, body });
          expect(['auth_failed', 'rate_limited', 'other']).toContain(kind);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('bad input', () => {
  it.each<[string, unknown]>([
    ['no response', undefined],
    ['a string', '401'],
    ['a status string', { status: '401' }],
    ['a fractional status', { status: 401.5 }],
    ['status 99', { status: 99 }],
    ['status 600', { status: 600 }],
    ['NaN', { status: Number.NaN }],
    ['headers as a string', { status: 401, headers: 'retry-after: 5' }],
    [
      'a status getter that throws',
      {
        get status() {
          throw new Error(OPENAI_KEY);
        },
      },
    ],
  ])('%s is INVALID_INPUT', (_name, response) => {
    let error: unknown;
    try {
      classifyUpstreamFailure(openai, response as UpstreamResponse);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'INVALID_INPUT' });
    expectNoSecret(error, [OPENAI_KEY]);
  });

  it('now must be a finite number', () => {
    expect(() => classifyUpstreamFailure(openai, { status: 429 }, { now: Number.NaN })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

describe('host-added classifiers', () => {
  const host = (classifyFailure: ProviderDefinition['classifyFailure']) =>
    defineProvider({
      id: 'host',
      displayName: 'Host',
      publicPrefixes: [],
      checkFormat: () => ({ ok: true }),
      validation: { request: () => ({ url: 'https://example.com', method: 'GET', headers: {} }) },
      classifyFailure,
    });

  it('receive a normalized reply: status, case-insensitive headers, parsed body', () => {
    const provider = host((reply) => {
      expect(reply.status).toBe(401);
      expect(reply.header('X-Reason')).toBe('revoked');
      expect(reply.body).toEqual({ reason: 'revoked' });
      expect(Object.isFrozen(reply)).toBe(true);
      return { kind: 'auth_failed', reason: 'revoked' };
    });
    expect(
      classify(provider, {
        status: 401,
        headers: { 'x-reason': 'revoked' },
        body: '{"reason":"revoked"}',
      }),
    ).toEqual(authFailed('revoked'));
  });

  it('answers that are not documented shapes are refused; the error has no key', () => {
    const answers: unknown[] = [
      { kind: 'auth_failed', reason: `Invalid key ${OPENAI_KEY}` },
      { kind: 'auth_failed', reason: 'Key Rejected' },
      { kind: 'auth_failed' },
      { kind: 'rate_limited', retryAfterMs: 'soon' },
      { kind: 'rate_limited', retryAfterMs: Number.POSITIVE_INFINITY },
      { kind: 'valid' },
      'other',
      null,
    ];
    for (const answer of answers) {
      let error: unknown;
      try {
        classify(
          host(() => answer as FailureClassification),
          { status: 401 },
        );
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'PROVIDER_DEFINITION_FAILED' });
      expectNoSecret(error, [OPENAI_KEY]);
    }
  });

  it('a classifier that throws: PROVIDER_DEFINITION_FAILED without its error', () => {
    let error: unknown;
    try {
      classify(
        host(() => {
          throw new Error(OPENAI_KEY);
        }),
        { status: 401 },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'PROVIDER_DEFINITION_FAILED',
      details: { step: 'classifyFailure', problem: 'threw' },
    });
    expect((error as Error).cause).toBeUndefined();
    expectNoSecret(error, [OPENAI_KEY]);
  });

  it('a wait is capped, a negative one is zero', () => {
    expect(
      classify(
        host(() => ({ kind: 'rate_limited', retryAfterMs: 9e12 })),
        { status: 429 },
      ),
    ).toEqual(limited(MAX_RETRY_AFTER_MS));
    expect(
      classify(
        host(() => ({ kind: 'rate_limited', retryAfterMs: -4 })),
        { status: 429 },
      ),
    ).toEqual(limited(0));
  });
});
