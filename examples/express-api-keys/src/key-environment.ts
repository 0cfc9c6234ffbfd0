// A partner API serves one environment: production accepts only `live` keys, a sandbox only `test`
// keys. Test keys are handed to partners' CI and staging and guarded less; a production API that
// accepted them would make every leaked CI key a production credential.
import type { ApiKeyEnv } from '@coffer/api-keys';
import { apiKeyErrorResponse, apiKeyOf, requestIdOf } from '@coffer/api-keys';
import { CofferError } from '@coffer/core';
import type express from 'express';

/**
 * A genuine key of the other environment. Code `WRONG_KEY_ENVIRONMENT`, status 403 (the key was
 * verified; it is just not allowed here). Details name both environments, nothing else.
 */
export class WrongKeyEnvironmentError extends CofferError {
  constructor(expected: ApiKeyEnv, actual: ApiKeyEnv) {
    super(
      'WRONG_KEY_ENVIRONMENT',
      `This API accepts only ${expected} keys and this is a ${actual} key. Use a ${expected} key here${expected === 'live' ? ', and test keys against the sandbox' : ''}.`,
      { status: 403, details: { expected, actual } },
    );
  }
}

/** Express middleware, after `expressApiKeyAuth`: lets through only keys of `env`. */
export function requireKeyEnvironment(env: ApiKeyEnv): express.RequestHandler {
  return (req, res, next) => {
    const key = apiKeyOf(req);
    if (key.env === env) {
      next();
      return;
    }
    const { status, headers, body } = apiKeyErrorResponse(
      new WrongKeyEnvironmentError(env, key.env),
      requestIdOf(req),
    );
    res.status(status).set(headers).json(body);
  };
}
