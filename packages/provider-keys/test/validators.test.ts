// The validators against local stand-ins that answer as each provider documents (200, 401, 403,
// Google's 400 API_KEY_INVALID, 429 with Retry-After in seconds and as a date, 5xx), and against
// the ways a network fails (a hang, a hang mid-body, a reset, a huge body, a redirect). Every
// result and error is checked for the key.
import { isCofferError, redact } from '@coffer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAnthropicProvider,
  createGoogleProvider,
  createMistralProvider,
  createOpenAIProvider,
  defineProvider,
  type ProviderDefinition,
  type ValidateKeyOptions,
  type ValidationResult,
  validateKey,
} from '../src/index.js';
import {
  ANTHROPIC_KEY,
  GOOGLE_AUTH_KEY,
  GOOGLE_KEY,
  MISTRAL_KEY,
  OPENAI_KEY,
  OPENAI_LEGACY_KEY,
} from './keys.js';
import { expectNoSecret } from './leaks.js';
import {
  type Answer,
  hang,
  hangAfterHeaders,
  hugeBody,
  json,
  reset,
  type StandIn,
  startStandIn,
} from './stand-in.js';

const ALL_KEYS = [
  OPENAI_KEY,
  OPENAI_LEGACY_KEY,
  ANTHROPIC_KEY,
  GOOGLE_KEY,
  GOOGLE_AUTH_KEY,
  MISTRAL_KEY,
];
const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const SHORT = 250; // ms: long enough on a loaded machine for a local answer, short for a hang

let server: StandIn;
let other: StandIn;

beforeAll(async () => {
  server = await startStandIn(json(200, {}));
  other = await startStandIn(json(200, {}));
});
afterAll(async () => {
  await server.close();
  await other.close();
});

async function check(
  provider: ProviderDefinition,
  key: string,
  answer: Answer,
  options: ValidateKeyOptions = {},
): Promise<ValidationResult> {
  server.answer(answer);
  const result = await validateKey(provider, key, {
    now: () => NOW,
    timeoutMs: 10_000,
    ...options,
  });
  expectNoSecret(result, ALL_KEYS);
  return result;
}

function lastRequest() {
  const request = server.requests.at(-1);
  if (request === undefined) throw new Error('the stand-in received no request');
  return request;
}

// The network failures every provider's validator must turn into `unreachable`.
function networkFailures(
  provider: () => ProviderDefinition,
  key: string,
  errorStatus: number,
): void {
  it('500 and 503 are unreachable (server_error), never invalid', async () => {
    for (const status of [500, 502, 503]) {
      expect(await check(provider(), key, json(status, { error: {} }))).toEqual({
        status: 'unreachable',
        reason: 'server_error',
        httpStatus: status,
      });
    }
  });
  it('a hang is cut off by the timeout: unreachable (timeout)', async () => {
    expect(await check(provider(), key, hang, { timeoutMs: SHORT })).toEqual({
      status: 'unreachable',
      reason: 'timeout',
    });
  });
  it('a hang after the status line is still a timeout, not the status', async () => {
    expect(
      await check(provider(), key, hangAfterHeaders(errorStatus), { timeoutMs: SHORT }),
    ).toEqual({ status: 'unreachable', reason: 'timeout' });
  });
  it('a reset connection is unreachable (network_error)', async () => {
    expect(await check(provider(), key, reset)).toEqual({
      status: 'unreachable',
      reason: 'network_error',
    });
  });
  it('a redirect is not followed: unreachable, and the key is not sent on', async () => {
    const before = other.requests.length;
    const redirect: Answer = (_req, res) => {
      res.writeHead(307, { location: `${other.baseUrl}/steal` });
      res.end();
    };
    expect(await check(provider(), key, redirect)).toEqual({
      status: 'unreachable',
      reason: 'unexpected_response',
      httpStatus: 307,
    });
    expect(other.requests.length).toBe(before);
  });
  it('a 200 with a huge body is valid without reading it', async () => {
    expect(await check(provider(), key, hugeBody(200, 20 * 1024 * 1024))).toEqual({
      status: 'valid',
    });
  });
}

describe('OpenAI', () => {
  const provider = () => createOpenAIProvider({ baseUrl: server.baseUrl });

  it('200 from GET /v1/models is valid; the key goes in Authorization: Bearer only', async () => {
    expect(await check(provider(), OPENAI_KEY, json(200, { object: 'list', data: [] }))).toEqual({
      status: 'valid',
    });
    const request = lastRequest();
    expect(request.method).toBe('GET');
    expect(request.url).toBe('/v1/models');
    expect(request.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(request.url.includes(OPENAI_KEY)).toBe(false);
  });

  it('a legacy sk- key and a Redacted key are checked the same way', async () => {
    expect(await check(provider(), OPENAI_LEGACY_KEY, json(200, {}))).toEqual({ status: 'valid' });
    server.answer(json(200, {}));
    expect(await validateKey(provider(), redact(OPENAI_KEY))).toEqual({ status: 'valid' });
    expect(lastRequest().headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
  });

  it('401 invalid_api_key is invalid (key_rejected)', async () => {
    const body = {
      error: {
        message: `Incorrect API key provided: sk-proj-****${OPENAI_KEY.slice(-4)}.`,
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    };
    expect(await check(provider(), OPENAI_KEY, json(401, body))).toEqual({
      status: 'invalid',
      reason: 'key_rejected',
      httpStatus: 401,
    });
  });

  it('403 is permission_denied, but an unsupported region is about the caller: unreachable', async () => {
    expect(await check(provider(), OPENAI_KEY, json(403, { error: { code: null } }))).toEqual({
      status: 'invalid',
      reason: 'permission_denied',
      httpStatus: 403,
    });
    const region = {
      error: {
        code: 'unsupported_country_region_territory',
        message: 'Country, region, or territory not supported',
        param: null,
        type: 'request_forbidden',
      },
    };
    expect(await check(provider(), OPENAI_KEY, json(403, region))).toEqual({
      status: 'unreachable',
      reason: 'unexpected_response',
      httpStatus: 403,
    });
  });

  it('429 with Retry-After in seconds and as an HTTP date', async () => {
    expect(await check(provider(), OPENAI_KEY, json(429, {}, { 'retry-after': '30' }))).toEqual({
      status: 'rate_limited',
      retryAfterMs: 30_000,
      httpStatus: 429,
    });
    const date = new Date(NOW + 90_000).toUTCString();
    expect(await check(provider(), OPENAI_KEY, json(429, {}, { 'retry-after': date }))).toEqual({
      status: 'rate_limited',
      retryAfterMs: 90_000,
      httpStatus: 429,
    });
  });

  it('429 without Retry-After waits for the exhausted x-ratelimit-reset-*', async () => {
    const headers = {
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '6m0s',
      'x-ratelimit-remaining-tokens': '1200',
      'x-ratelimit-reset-tokens': '20ms',
    };
    expect(await check(provider(), OPENAI_KEY, json(429, {}, headers))).toEqual({
      status: 'rate_limited',
      retryAfterMs: 360_000,
      httpStatus: 429,
    });
    expect(await check(provider(), OPENAI_KEY, json(429, {}))).toEqual({
      status: 'rate_limited',
      httpStatus: 429,
    });
  });

  it('429 insufficient_quota is out of credit, not a rate limit: invalid (quota_exhausted)', async () => {
    const body = { error: { code: 'insufficient_quota', type: 'insufficient_quota' } };
    expect(await check(provider(), OPENAI_KEY, json(429, body))).toEqual({
      status: 'invalid',
      reason: 'quota_exhausted',
      httpStatus: 429,
    });
  });

  it('a 401 with a huge body is still read as 401, and the body is not read past the cap', async () => {
    expect(await check(provider(), OPENAI_KEY, hugeBody(401, 8 * 1024 * 1024))).toEqual({
      status: 'invalid',
      reason: 'key_rejected',
      httpStatus: 401,
    });
  });

  networkFailures(provider, OPENAI_KEY, 401);
});

describe('Anthropic', () => {
  const provider = () => createAnthropicProvider({ baseUrl: server.baseUrl });
  const errorBody = (type: string) => ({ type: 'error', error: { type, message: 'x' } });

  it('GET /v1/models?limit=1 with x-api-key and anthropic-version', async () => {
    expect(await check(provider(), ANTHROPIC_KEY, json(200, { data: [] }))).toEqual({
      status: 'valid',
    });
    const request = lastRequest();
    expect(request.method).toBe('GET');
    expect(request.url).toBe('/v1/models?limit=1');
    expect(request.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.headers.authorization).toBeUndefined();
  });

  it('the documented error statuses', async () => {
    const cases: [number, string, ValidationResult][] = [
      [401, 'authentication_error', { status: 'invalid', reason: 'key_rejected', httpStatus: 401 }],
      [402, 'billing_error', { status: 'invalid', reason: 'billing', httpStatus: 402 }],
      [
        403,
        'permission_error',
        { status: 'invalid', reason: 'permission_denied', httpStatus: 403 },
      ],
      [
        400,
        'invalid_request_error',
        { status: 'unreachable', reason: 'unexpected_response', httpStatus: 400 },
      ],
      [500, 'api_error', { status: 'unreachable', reason: 'server_error', httpStatus: 500 }],
      [529, 'overloaded_error', { status: 'unreachable', reason: 'server_error', httpStatus: 529 }],
    ];
    for (const [status, type, expected] of cases) {
      expect(await check(provider(), ANTHROPIC_KEY, json(status, errorBody(type)))).toEqual(
        expected,
      );
    }
  });

  it('429: retry-after, else the reset time of the exhausted limit', async () => {
    expect(
      await check(
        provider(),
        ANTHROPIC_KEY,
        json(429, errorBody('rate_limit_error'), { 'retry-after': '12' }),
      ),
    ).toEqual({ status: 'rate_limited', retryAfterMs: 12_000, httpStatus: 429 });
    const headers = {
      'anthropic-ratelimit-requests-remaining': '17',
      'anthropic-ratelimit-requests-reset': new Date(NOW + 5_000).toISOString(),
      'anthropic-ratelimit-output-tokens-remaining': '0',
      'anthropic-ratelimit-output-tokens-reset': new Date(NOW + 45_000).toISOString(),
    };
    expect(
      await check(provider(), ANTHROPIC_KEY, json(429, errorBody('rate_limit_error'), headers)),
    ).toEqual({ status: 'rate_limited', retryAfterMs: 45_000, httpStatus: 429 });
  });

  it("check: 'message' sends the seed's minimal message; a retired model is the host's problem", async () => {
    const strict = createAnthropicProvider({
      baseUrl: server.baseUrl,
      check: 'message',
      model: 'claude-haiku-4-5',
    });
    expect(await check(strict, ANTHROPIC_KEY, json(200, { type: 'message' }))).toEqual({
      status: 'valid',
    });
    const request = lastRequest();
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/messages');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 1,
      messages: [{ role: 'user', content: 'ping' }],
    });
    expect(request.body.includes(ANTHROPIC_KEY)).toBe(false);
    expect(await check(strict, ANTHROPIC_KEY, json(404, errorBody('not_found_error')))).toEqual({
      status: 'unreachable',
      reason: 'validator_misconfigured',
      httpStatus: 404,
    });
    expect(
      await check(strict, ANTHROPIC_KEY, json(401, errorBody('authentication_error'))),
    ).toEqual({
      status: 'invalid',
      reason: 'key_rejected',
      httpStatus: 401,
    });
  });

  networkFailures(provider, ANTHROPIC_KEY, 401);
});

describe('Google Gemini', () => {
  const provider = () => createGoogleProvider({ baseUrl: server.baseUrl });
  const googleError = (code: number, status: string, details: unknown[] = []) => ({
    error: { code, message: 'x', status, details },
  });
  const errorInfo = (reason: string) => ({
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason,
    domain: 'googleapis.com',
    metadata: { service: 'generativelanguage.googleapis.com' },
  });

  it('GET /v1beta/models?pageSize=1 with x-goog-api-key, never key= in the URL', async () => {
    expect(await check(provider(), GOOGLE_KEY, json(200, { models: [] }))).toEqual({
      status: 'valid',
    });
    const request = lastRequest();
    expect(request.url).toBe('/v1beta/models?pageSize=1');
    expect(request.headers['x-goog-api-key']).toBe(GOOGLE_KEY);
    expect(request.url.includes('key=')).toBe(false);
    expect(await check(provider(), GOOGLE_AUTH_KEY, json(200, { models: [] }))).toEqual({
      status: 'valid',
    });
    expect(lastRequest().headers['x-goog-api-key']).toBe(GOOGLE_AUTH_KEY);
  });

  it('400 INVALID_ARGUMENT with reason API_KEY_INVALID is invalid (key_rejected)', async () => {
    const body = googleError(400, 'INVALID_ARGUMENT', [
      errorInfo('API_KEY_INVALID'),
      {
        '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
        locale: 'en-US',
        message: 'API key not valid. Please pass a valid API key.',
      },
    ]);
    expect(await check(provider(), GOOGLE_KEY, json(400, body))).toEqual({
      status: 'invalid',
      reason: 'key_rejected',
      httpStatus: 400,
    });
  });

  it('other 400s (a malformed request, the free tier not in this country) are not about the key', async () => {
    for (const status of ['INVALID_ARGUMENT', 'FAILED_PRECONDITION']) {
      expect(await check(provider(), GOOGLE_KEY, json(400, googleError(400, status)))).toEqual({
        status: 'unreachable',
        reason: 'unexpected_response',
        httpStatus: 400,
      });
    }
    // A body too large to read cannot say API_KEY_INVALID: not invalid either.
    expect(await check(provider(), GOOGLE_KEY, hugeBody(400, 4 * 1024 * 1024))).toEqual({
      status: 'unreachable',
      reason: 'unexpected_response',
      httpStatus: 400,
    });
  });

  it('401 UNAUTHENTICATED, 403 PERMISSION_DENIED and SERVICE_DISABLED', async () => {
    const unauthenticated = googleError(401, 'UNAUTHENTICATED', [
      errorInfo('ACCESS_TOKEN_TYPE_UNSUPPORTED'),
    ]);
    expect(await check(provider(), GOOGLE_AUTH_KEY, json(401, unauthenticated))).toEqual({
      status: 'invalid',
      reason: 'key_rejected',
      httpStatus: 401,
    });
    expect(
      await check(provider(), GOOGLE_KEY, json(403, googleError(403, 'PERMISSION_DENIED'))),
    ).toEqual({
      status: 'invalid',
      reason: 'permission_denied',
      httpStatus: 403,
    });
    const disabled = googleError(403, 'PERMISSION_DENIED', [errorInfo('SERVICE_DISABLED')]);
    expect(await check(provider(), GOOGLE_KEY, json(403, disabled))).toEqual({
      status: 'invalid',
      reason: 'service_disabled',
      httpStatus: 403,
    });
  });

  it('429 RESOURCE_EXHAUSTED: Retry-After, else RetryInfo.retryDelay', async () => {
    const exhausted = googleError(429, 'RESOURCE_EXHAUSTED', [
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' },
    ]);
    expect(await check(provider(), GOOGLE_KEY, json(429, exhausted))).toEqual({
      status: 'rate_limited',
      retryAfterMs: 37_000,
      httpStatus: 429,
    });
    expect(
      await check(provider(), GOOGLE_KEY, json(429, exhausted, { 'retry-after': '3' })),
    ).toEqual({
      status: 'rate_limited',
      retryAfterMs: 3_000,
      httpStatus: 429,
    });
  });

  it("check: 'generate' sends one-token generateContent to the configured model", async () => {
    const strict = createGoogleProvider({
      baseUrl: server.baseUrl,
      check: 'generate',
      model: 'gemini-2.5-flash',
    });
    expect(await check(strict, GOOGLE_KEY, json(200, { candidates: [] }))).toEqual({
      status: 'valid',
    });
    const request = lastRequest();
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(JSON.parse(request.body)).toEqual({
      contents: [{ parts: [{ text: 'ping' }] }],
      generationConfig: { maxOutputTokens: 1 },
    });
    expect(await check(strict, GOOGLE_KEY, json(404, googleError(404, 'NOT_FOUND')))).toEqual({
      status: 'unreachable',
      reason: 'validator_misconfigured',
      httpStatus: 404,
    });
  });

  networkFailures(provider, GOOGLE_KEY, 400);
});

describe('Mistral', () => {
  const provider = () => createMistralProvider({ baseUrl: server.baseUrl });

  it('GET /v1/models with Authorization: Bearer', async () => {
    expect(await check(provider(), MISTRAL_KEY, json(200, { data: [] }))).toEqual({
      status: 'valid',
    });
    expect(lastRequest().url).toBe('/v1/models');
    expect(lastRequest().headers.authorization).toBe(`Bearer ${MISTRAL_KEY}`);
  });

  it('401, 403 and 429 read from the status alone', async () => {
    expect(await check(provider(), MISTRAL_KEY, json(401, { message: 'Unauthorized' }))).toEqual({
      status: 'invalid',
      reason: 'key_rejected',
      httpStatus: 401,
    });
    expect(await check(provider(), MISTRAL_KEY, json(403, {}))).toEqual({
      status: 'invalid',
      reason: 'permission_denied',
      httpStatus: 403,
    });
    const date = new Date(NOW + 10_000).toUTCString();
    expect(await check(provider(), MISTRAL_KEY, json(429, {}, { 'retry-after': date }))).toEqual({
      status: 'rate_limited',
      retryAfterMs: 10_000,
      httpStatus: 429,
    });
  });

  networkFailures(provider, MISTRAL_KEY, 401);
});

describe('the runner, whatever the provider', () => {
  const openaiHere = () => createOpenAIProvider({ baseUrl: server.baseUrl });

  it('a key of the wrong format is refused before anything is sent, and the error has no key', async () => {
    const before = server.requests.length;
    for (const key of [ANTHROPIC_KEY, ` ${OPENAI_KEY}`, `${OPENAI_KEY}\n`, 'sk-', '']) {
      const error = await validateKey(openaiHere(), key).catch((e: unknown) => e);
      expect(isCofferError(error, 'INVALID_INPUT')).toBe(true);
      expectNoSecret(error, ALL_KEYS);
    }
    expect(server.requests.length).toBe(before);
  });

  it('the caller aborts: the promise rejects with the signal reason; nothing is returned', async () => {
    server.answer(hang);
    const controller = new AbortController();
    const pending = validateKey(openaiHere(), OPENAI_KEY, {
      signal: controller.signal,
      timeoutMs: 60_000,
    });
    setTimeout(() => controller.abort(new Error('user left the page')), 50);
    await expect(pending).rejects.toThrow('user left the page');
    const before = server.requests.length;
    const already = AbortSignal.abort(new Error('already gone'));
    await expect(validateKey(openaiHere(), OPENAI_KEY, { signal: already })).rejects.toThrow(
      'already gone',
    );
    expect(server.requests.length).toBe(before);
  });

  it('a fetch that ignores the signal and never settles is still cut off', async () => {
    const result = await validateKey(openaiHere(), OPENAI_KEY, {
      fetch: () => new Promise<Response>(() => undefined),
      timeoutMs: SHORT,
    });
    expect(result).toEqual({ status: 'unreachable', reason: 'timeout' });
  });

  it('a body that never ends, from a fetch that ignores the signal, is cut off too', async () => {
    const endless = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => undefined) });
    const result = await validateKey(openaiHere(), OPENAI_KEY, {
      fetch: async () => new Response(endless, { status: 401 }),
      timeoutMs: SHORT,
    });
    expect(result).toEqual({ status: 'unreachable', reason: 'timeout' });
  });

  it('at most maxBodyBytes of a body are pulled from the stream', async () => {
    let pulled = 0;
    const chunk = new Uint8Array(4096).fill(0x61);
    const infinite = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const result = await validateKey(openaiHere(), OPENAI_KEY, {
      fetch: async () => new Response(infinite, { status: 401 }),
      maxBodyBytes: 16_384,
    });
    expect(result).toEqual({ status: 'invalid', reason: 'key_rejected', httpStatus: 401 });
    // The stream may read ahead by its queue's high-water mark: a few chunks, never unbounded.
    expect(pulled).toBeLessThanOrEqual(16_384 + 4 * chunk.length);
  });

  it('what fetch throws (which may hold the URL or the key) is dropped', async () => {
    const leaky = async (url: string, init: RequestInit): Promise<Response> => {
      throw new TypeError(`fetch failed for ${url} with ${JSON.stringify(init.headers)}`, {
        cause: new Error(String(OPENAI_KEY)),
      });
    };
    const result = await validateKey(openaiHere(), OPENAI_KEY, { fetch: leaky });
    expect(result).toEqual({ status: 'unreachable', reason: 'network_error' });
    const syncThrow = (() => {
      throw new Error(OPENAI_KEY);
    }) as unknown as typeof fetch;
    expect(await validateKey(openaiHere(), OPENAI_KEY, { fetch: syncThrow })).toEqual({
      status: 'unreachable',
      reason: 'network_error',
    });
  });

  it('a fetch that answers with something that is not a response', async () => {
    for (const answer of [null, {}, { status: 'ok' }, { status: 42 }, { status: 200.5 }]) {
      const result = await validateKey(openaiHere(), OPENAI_KEY, {
        fetch: async () => answer as unknown as Response,
      });
      expect(result).toEqual({ status: 'unreachable', reason: 'unexpected_response' });
    }
  });

  it('Retry-After sent twice on a real socket gives no wait, agreeing or not', async () => {
    const conflicting: Answer = (_req, res) => {
      res.setHeader('retry-after', ['30', '600']);
      res.writeHead(429, { 'content-type': 'application/json' });
      res.end('{}');
    };
    expect(await check(openaiHere(), OPENAI_KEY, conflicting)).toEqual({
      status: 'rate_limited',
      httpStatus: 429,
    });
    const agreeing: Answer = (_req, res) => {
      res.setHeader('retry-after', ['30', '30']);
      res.writeHead(429).end('{}');
    };
    expect(await check(openaiHere(), OPENAI_KEY, agreeing)).toEqual({
      status: 'rate_limited',
      httpStatus: 429,
    });
  });

  it('a request builder that settles after the timeout leaves no unhandled rejection', async () => {
    const slow = defineProvider({
      ...openaiHere(),
      id: 'slow',
      validation: {
        request: () =>
          new Promise((_, reject) => setTimeout(() => reject(new Error(OPENAI_KEY)), SHORT * 2)),
      },
    });
    expect(await validateKey(slow, OPENAI_KEY, { timeoutMs: SHORT })).toEqual({
      status: 'unreachable',
      reason: 'timeout',
    });
    // Let the builder reject; vitest fails the run on an unhandled rejection.
    await new Promise((resolve) => setTimeout(resolve, SHORT * 2));
  });

  it('a broken clock does not break the check', async () => {
    const broken = () => {
      throw new Error('no clock');
    };
    expect(
      await check(openaiHere(), OPENAI_KEY, json(429, {}, { 'retry-after': '5' }), { now: broken }),
    ).toEqual({ status: 'rate_limited', retryAfterMs: 5000, httpStatus: 429 });
  });

  it('many checks at once each send their own key and get their own answer', async () => {
    server.answer((req, res) => {
      const valid = req.headers.authorization === `Bearer ${OPENAI_KEY}`;
      res.writeHead(valid ? 200 : 401).end('{}');
    });
    const other = `sk-proj-${'Z9y8X7w6'.repeat(19)}Aa1b`;
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        validateKey(openaiHere(), i % 2 === 0 ? OPENAI_KEY : other),
      ),
    );
    results.forEach((result, i) => {
      expect(result.status).toBe(i % 2 === 0 ? 'valid' : 'invalid');
    });
  });

  it('options are checked', async () => {
    const bad: ValidateKeyOptions[] = [
      { timeoutMs: 0 },
      { timeoutMs: 1.5 },
      { timeoutMs: 120_001 },
      { maxBodyBytes: 10 },
      { fetch: 'fetch' as unknown as typeof fetch },
      { signal: {} as AbortSignal },
      { now: 5 as unknown as () => number },
    ];
    for (const options of bad) {
      const error = await validateKey(openaiHere(), OPENAI_KEY, options).catch((e: unknown) => e);
      expect(isCofferError(error, 'INVALID_INPUT')).toBe(true);
    }
  });
});

describe('host-added providers the runner does not trust', () => {
  const lax = (overrides: Partial<ProviderDefinition['validation']> = {}, url?: string) =>
    defineProvider({
      id: 'lax',
      displayName: 'Lax',
      publicPrefixes: [],
      checkFormat: () => ({ ok: true }),
      validation: {
        request: (key) => ({
          url: url ?? `${server.baseUrl}/check`,
          method: 'GET',
          headers: { authorization: `Bearer ${key}` },
        }),
        ...overrides,
      },
      classifyFailure: () => ({ kind: 'other' }),
    });

  it('plain http to a host that is not loopback is refused; nothing is sent', async () => {
    for (const url of [
      'http://api.example.com/check',
      'ftp://127.0.0.1/x',
      'https://u:p@example.com/',
    ]) {
      const error = await validateKey(lax({}, url), OPENAI_KEY).catch((e: unknown) => e);
      expect(isCofferError(error, 'PROVIDER_DEFINITION_FAILED')).toBe(true);
      expectNoSecret(error, ALL_KEYS);
    }
  });

  it('a request builder that throws with the key in its message: the error is dropped', async () => {
    const throwing = lax({
      request: (key) => {
        throw new Error(`cannot build a request for ${key}`);
      },
    });
    const error = await validateKey(throwing, OPENAI_KEY).catch((e: unknown) => e);
    expect(isCofferError(error, 'PROVIDER_DEFINITION_FAILED')).toBe(true);
    expect((error as Error).cause).toBeUndefined();
    expectNoSecret(error, ALL_KEYS);
  });

  it('an interpreter that answers nonsense or an unsafe reason is refused', async () => {
    server.answer(json(401, {}));
    for (const verdict of [
      { status: 'invalid', reason: `Bad key ${OPENAI_KEY}` },
      { status: 'maybe' },
      { status: 'rate_limited', retryAfterMs: Number.NaN },
      { status: 'rate_limited', retryAfterMs: '30' },
      null,
    ]) {
      const provider = lax({ interpret: () => verdict as unknown as ValidationResult });
      const error = await validateKey(provider, OPENAI_KEY).catch((e: unknown) => e);
      expect(isCofferError(error, 'PROVIDER_DEFINITION_FAILED')).toBe(true);
      expectNoSecret(error, ALL_KEYS);
    }
  });

  it('a wait beyond the cap is capped', async () => {
    server.answer(json(429, {}));
    const provider = lax({
      interpret: () => ({ status: 'rate_limited', retryAfterMs: 10 * 24 * 3_600_000 }),
    });
    expect(await validateKey(provider, OPENAI_KEY)).toEqual({
      status: 'rate_limited',
      retryAfterMs: 3_600_000,
      httpStatus: 429,
    });
  });

  it('a key with a line break never reaches fetch, even when the format check is lax', async () => {
    let called = false;
    const spy = async (): Promise<Response> => {
      called = true;
      return new Response('{}');
    };
    const error = await validateKey(lax(), `${OPENAI_KEY}\r\nx-injected: 1`, { fetch: spy }).catch(
      (e: unknown) => e,
    );
    // The common checks refuse whitespace before the provider's own check runs.
    expect(isCofferError(error, 'INVALID_INPUT')).toBe(true);
    expect((error as { details?: unknown }).details).toEqual({
      parameter: 'key',
      provider: 'lax',
      reason: 'whitespace',
    });
    expectNoSecret(error, ALL_KEYS);
    expect(called).toBe(false);
    const broken = defineProvider({
      ...lax(),
      id: 'broken',
      validation: {
        request: (key) => ({
          url: `${server.baseUrl}/check`,
          method: 'GET',
          headers: { authorization: `Bearer ${key}\r\nx-injected: 1` },
        }),
      },
    });
    const refused = await validateKey(broken, OPENAI_KEY, { fetch: spy }).catch((e: unknown) => e);
    expect(isCofferError(refused, 'PROVIDER_DEFINITION_FAILED')).toBe(true);
    expectNoSecret(refused, ALL_KEYS);
    expect(called).toBe(false);
  });
});
