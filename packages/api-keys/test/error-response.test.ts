import { CofferError, InvalidInputError } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  ApiKeyNotFoundError,
  apiKeyErrorResponse,
  ForbiddenScopeError,
  KillSwitchError,
  RateLimitedError,
  RevokedKeyError,
  UnauthenticatedError,
  VerifierBusyError,
} from '../src/index.js';

describe('apiKeyErrorResponse', () => {
  it.each([
    [new UnauthenticatedError('no', { details: { reason: 'missing' } }), 401, 'UNAUTHENTICATED'],
    [new RevokedKeyError('01HX9Y6K7EJ4T2AB'), 401, 'REVOKED'],
    [new ForbiddenScopeError(['a:b']), 403, 'FORBIDDEN_SCOPE'],
    [new ApiKeyNotFoundError('01HX9Y6K7EJ4T2AB'), 404, 'NOT_FOUND'],
    [new InvalidInputError('limit must be an integer'), 400, 'INVALID_INPUT'],
    [new RateLimitedError(1500), 429, 'RATE_LIMITED'],
    [new KillSwitchError('organization', '01HX9Y6K7EJ4T2AB'), 503, 'KILL_SWITCH'],
    [new VerifierBusyError(), 503, 'VERIFIER_BUSY'],
  ])(
    'a refusal the caller can act on keeps its code, message and details (%s)',
    (error, status, code) => {
      const res = apiKeyErrorResponse(error, 'req_1');
      expect(res.status).toBe(status);
      expect(res.body).toEqual({
        error: { code, message: error.message, requestId: 'req_1', details: error.details ?? {} },
      });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['www-authenticate']).toBe(status === 401 ? 'Bearer' : undefined);
    },
  );

  it('Retry-After in whole seconds, rounded up, when a retry may help', () => {
    expect(apiKeyErrorResponse(new RateLimitedError(1500), 'r').headers['retry-after']).toBe('2');
    expect(apiKeyErrorResponse(new VerifierBusyError(), 'r').headers['retry-after']).toBe('1');
    expect(apiKeyErrorResponse(new KillSwitchError('global'), 'r').headers['retry-after']).toBe(
      undefined,
    );
  });

  it.each([
    [
      'a plain Error',
      new Error('connect ECONNREFUSED postgres://admin:hunter2@db'),
      500,
      'INTERNAL',
    ],
    ['a thrown string', 'hunter2', 500, 'INTERNAL'],
    [
      'a server-side CofferError',
      new CofferError('STORE_OPEN_FAILED', 'could not open /srv/hunter2.db', {
        status: 500,
        details: { path: '/srv/hunter2.db' },
      }),
      500,
      'INTERNAL',
    ],
    [
      'a CofferError without a status',
      new CofferError('AUDIT_FAILED', 'audit sink hunter2 failed'),
      500,
      'INTERNAL',
    ],
    [
      'a retryable server-side CofferError',
      new CofferError('STORE_BUSY', 'SQLite hunter2.db busy after 8 attempts', {
        status: 503,
        retryable: true,
        details: { dialect: 'sqlite', attempts: 8 },
      }),
      503,
      'UNAVAILABLE',
    ],
  ])('%s becomes a bare %i %s with no internals', (_, error, status, code) => {
    const res = apiKeyErrorResponse(error, 'req_2');
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.details).toEqual({});
    expect(res.body.error.requestId).toBe('req_2');
    expect(JSON.stringify(res)).not.toContain('hunter2');
    expect(res.headers['retry-after']).toBe(status === 503 ? '1' : undefined);
  });
});
