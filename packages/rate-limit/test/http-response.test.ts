// The decision in HTTP: the header values, Retry-After as whole seconds rounded up (consistent
// with retryAfterMs for every wait), the envelope's exact bytes, and request ids of api-keys' shape.
import { requestIdOf } from '@coffer/api-keys';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestIdFromHeaders } from '../src/_request-id.js';
import { type RateLimitDecision, rateLimitedResponse, rateLimitHeaders } from '../src/index.js';

const decision = (extra: Partial<RateLimitDecision> = {}): RateLimitDecision => ({
  allowed: false,
  keyId: '01HX9Y6K7EJ4T2AB',
  tier: 'standard',
  endpointClass: 'write-light',
  limit: 20,
  remaining: 0,
  resetMs: 20_240,
  retryAfterMs: 1240,
  source: 'store',
  ...extra,
});

describe('rateLimitHeaders and rateLimitedResponse', () => {
  it("reproduce the partner contract's example", () => {
    const response = rateLimitedResponse(decision(), 'req_01hx9y6k7ej4t2ab');
    expect(response.status).toBe(429);
    expect(response.body).toBe(
      '{"error":{"code":"RATE_LIMITED","requestId":"req_01hx9y6k7ej4t2ab","details":{"endpointClass":"write-light","retryAfterMs":1240}}}',
    );
    expect(response.headers).toEqual({
      'retry-after': '2',
      'x-ratelimit-limit': '20',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '21',
      'x-ratelimit-endpoint-class': 'write-light',
      'x-ratelimit-tier': 'standard',
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    });
    expect(JSON.parse(response.body)).toEqual(response.json);
  });

  it('allowed decisions carry the bucket headers and no Retry-After', () => {
    expect(
      rateLimitHeaders(decision({ allowed: true, remaining: 7, resetMs: 1, retryAfterMs: 0 })),
    ).toEqual({
      'x-ratelimit-limit': '20',
      'x-ratelimit-remaining': '7',
      'x-ratelimit-reset': '1',
      'x-ratelimit-endpoint-class': 'write-light',
      'x-ratelimit-tier': 'standard',
    });
  });

  it('Retry-After is retryAfterMs in whole seconds, rounded up, never 0 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 86_400_000 }), (retryAfterMs) => {
        const r = rateLimitedResponse(decision({ retryAfterMs }), 'req_x');
        const seconds = Number(r.headers['retry-after']);
        expect(Number.isInteger(seconds)).toBe(true);
        expect(seconds * 1000).toBeGreaterThanOrEqual(retryAfterMs);
        expect((seconds - 1) * 1000).toBeLessThan(retryAfterMs);
        expect(r.json.error.details.retryAfterMs).toBe(retryAfterMs);
        expect(rateLimitHeaders(decision({ retryAfterMs }))['retry-after']).toBe(
          r.headers['retry-after'],
        );
      }),
    );
  });

  it('the request id is escaped by JSON, whatever a custom requestId function returns', () => {
    const r = rateLimitedResponse(decision(), 'a"},"code":"OK');
    expect(JSON.parse(r.body).error).toEqual({
      code: 'RATE_LIMITED',
      requestId: 'a"},"code":"OK',
      details: { endpointClass: 'write-light', retryAfterMs: 1240 },
    });
  });
});

describe('request ids match @coffer/api-keys', () => {
  it('echo exactly the X-Request-Id values api-keys echoes, for Node and Fetch headers', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 140 }),
          fc.stringMatching(/^[A-Za-z0-9._:-]{1,130}$/),
          fc.constant(undefined),
        ),
        (value) => {
          const node = value === undefined ? {} : { 'x-request-id': value };
          const ours = requestIdFromHeaders(node);
          const theirs = requestIdOf({ headers: node });
          if (ours.startsWith('req_') && theirs.startsWith('req_') && ours !== value) {
            expect(ours).toMatch(/^req_[0-9a-hjkmnp-tv-z]{16}$/);
            expect(theirs).toMatch(/^req_[0-9a-hjkmnp-tv-z]{16}$/);
          } else {
            expect(ours).toBe(theirs);
          }
          if (value !== undefined && !/[\r\n\0]/.test(value)) {
            let fetchHeaders: Headers;
            try {
              fetchHeaders = new Headers({ 'x-request-id': value });
            } catch {
              return;
            }
            const a = requestIdFromHeaders(fetchHeaders);
            const b = requestIdOf({ headers: fetchHeaders });
            expect(a === fetchHeaders.get('x-request-id')).toBe(
              b === fetchHeaders.get('x-request-id'),
            );
          }
        },
      ),
    );
  });
});
