// Which endpoint class a request belongs to: the route's explicit class, else the host's
// `classify`, else the default by HTTP method. Resolved without throwing: a route the host forgot
// to classify gets the method's default, never an error.
import { InvalidInputError } from '@coffer/core';
import type { RateLimiter } from './limiter.js';

const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The documented default class of a request by its method: `GET`, `HEAD` and `OPTIONS` are
 * `read-light`; every other method (`POST`, `PUT`, `PATCH`, `DELETE`, …) is `write-light`.
 * `long-running` is never a default: give it explicitly to the routes that start long work.
 *
 * @example
 * ```ts
 * import { endpointClassByMethod } from '@coffer/rate-limit';
 *
 * endpointClassByMethod('GET'); // 'read-light'
 * endpointClassByMethod('post'); // 'write-light'
 * ```
 */
export function endpointClassByMethod(method: string): 'read-light' | 'write-light' {
  return READ_METHODS.has(String(method).toUpperCase()) ? 'read-light' : 'write-light';
}

/** Options every framework adapter shares; `Req` is what the framework hands a middleware. */
export interface RateLimitMiddlewareOptions<EndpointClass extends string, Req> {
  /**
   * The class of a request the route did not classify itself; `undefined` (or a class the policy
   * lacks, or a throw) means the default by method.
   */
  classify?: (request: Req) => EndpointClass | undefined;
  /**
   * The default class by HTTP method (default {@link endpointClassByMethod}). Required when the
   * policy has no `read-light` and `write-light` classes.
   */
  defaultClass?: (method: string) => EndpointClass;
  /**
   * The request id of a 429 body (default: the caller's `X-Request-Id` when it is a sane token,
   * else a new `req_…` id — the same rule as `@coffer/api-keys`).
   */
  requestId?: (request: Req) => string;
}

const PROBE_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** @internal Resolves classes for one middleware; checks its options when made. */
export interface ClassResolver<EndpointClass extends string, Req> {
  resolve(request: Req, method: string): EndpointClass;
  /** Checks an explicit per-route class (at setup time). */
  explicit(endpointClass: unknown): EndpointClass;
}

/** @internal */
export function classResolver<EndpointClass extends string, Req>(
  limiter: RateLimiter<string, EndpointClass>,
  options: RateLimitMiddlewareOptions<EndpointClass, Req>,
): ClassResolver<EndpointClass, Req> {
  const classify = options.classify;
  const byMethod = (options.defaultClass ?? endpointClassByMethod) as (m: string) => unknown;
  // Every common method must map to a class the policy has; anything odd later falls back to POST's.
  const probes = new Map<string, EndpointClass>();
  for (const method of PROBE_METHODS) {
    let found: unknown;
    try {
      found = byMethod(method);
    } catch {
      found = undefined;
    }
    if (!limiter.hasEndpointClass(found)) {
      throw new InvalidInputError(
        options.defaultClass === undefined
          ? 'the policy has no read-light/write-light classes: give defaultClass(method)'
          : `defaultClass("${method}") must return one of the policy's endpoint classes`,
        { details: { parameter: 'defaultClass' } },
      );
    }
    probes.set(method, found);
  }
  const writeDefault = probes.get('POST') as EndpointClass;
  return {
    resolve(request, method) {
      if (classify !== undefined) {
        try {
          const chosen = classify(request);
          if (limiter.hasEndpointClass(chosen)) return chosen;
        } catch {
          // A throwing classify must not fail the request: the default by method decides.
        }
      }
      const known = probes.get(method);
      if (known !== undefined) return known;
      try {
        const found = byMethod(method);
        if (limiter.hasEndpointClass(found)) return found;
      } catch {
        // As above.
      }
      return writeDefault;
    },
    explicit(endpointClass) {
      if (!limiter.hasEndpointClass(endpointClass)) {
        throw new InvalidInputError(
          `endpoint class "${String(endpointClass).slice(0, 64)}" is not in the policy (${limiter.endpointClasses.join(', ')})`,
          { details: { parameter: 'endpointClass' } },
        );
      }
      return endpointClass;
    },
  };
}
