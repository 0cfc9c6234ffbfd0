// Building the normalized UpstreamReply the definitions read, and checking what they answer
// (internal). Everything a definition returns is rebuilt here: a host-added provider can only
// produce one of the documented shapes, with a safe reason code and a bounded wait.
import { utf8Decode } from '@coffer/core';
import { headerLookup } from './_headers.js';
import { ProviderDefinitionError, type ProviderDefinitionStep } from './errors.js';
import type {
  FailureClassification,
  UnreachableReason,
  UpstreamReply,
  ValidationResult,
} from './provider-definition.js';
import { clampWait } from './retry-after.js';

/** The most body text that is ever parsed: error answers are small. */
export const MAX_PARSED_BODY = 65_536;

const REASON = /^[a-z][a-z0-9_]{0,47}$/;
const UNREACHABLE_REASONS: readonly UnreachableReason[] = [
  'network_error',
  'timeout',
  'server_error',
  'unexpected_response',
  'validator_misconfigured',
];

/**
 * Parses body text (or UTF-8 bytes) as JSON when it is JSON, otherwise keeps the text; keeps an
 * object as it is; a stream or anything that throws when looked at is no body. Never throws.
 */
export function parseBody(body: unknown): unknown {
  try {
    let textBody: string;
    if (typeof body === 'string') textBody = body;
    else if (body instanceof Uint8Array) {
      if (body.length > MAX_PARSED_BODY) return undefined;
      textBody = utf8Decode(body);
    } else {
      // A stream (a fetch body the host has not read) is no body we can read synchronously.
      if (typeof (body as { getReader?: unknown } | null)?.getReader === 'function') {
        return undefined;
      }
      return body;
    }
    if (textBody.length > MAX_PARSED_BODY) return undefined;
    try {
      return JSON.parse(textBody) as unknown;
    } catch {
      return textBody;
    }
  } catch {
    // A proxy or getter that throws (and whatever it throws) is dropped.
    return undefined;
  }
}

/** A frozen reply over a status, any headers and an already-parsed body. */
export function makeReply(status: number, headers: unknown, body: unknown): UpstreamReply {
  const lookup = headerLookup(headers);
  return Object.freeze({
    status,
    header: (name: string) => (typeof name === 'string' ? lookup(name) : undefined),
    body,
  });
}

function readProp(value: object, key: string): unknown {
  return (value as Record<string, unknown>)[key];
}

/** Rebuilds a definition's classification, or throws `PROVIDER_DEFINITION_FAILED`. */
export function checkedClassification(provider: string, result: unknown): FailureClassification {
  try {
    if (typeof result === 'object' && result !== null) {
      const kind = readProp(result, 'kind');
      if (kind === 'other') return OTHER;
      if (kind === 'auth_failed') {
        const reason = readProp(result, 'reason');
        if (typeof reason === 'string' && REASON.test(reason)) {
          return Object.freeze({ kind: 'auth_failed', reason });
        }
      }
      if (kind === 'rate_limited') {
        const wait = readProp(result, 'retryAfterMs');
        if (wait === undefined) return Object.freeze({ kind: 'rate_limited' });
        const clamped = typeof wait === 'number' ? clampWait(wait) : undefined;
        if (clamped !== undefined)
          return Object.freeze({ kind: 'rate_limited', retryAfterMs: clamped });
      }
    }
  } catch {
    // A getter or proxy that throws is as bad as a wrong shape.
  }
  throw new ProviderDefinitionError(provider, 'classifyFailure', 'bad_result');
}

const OTHER: FailureClassification = Object.freeze({ kind: 'other' });

/** Rebuilds a validation verdict with the runner's `httpStatus`, or throws. */
export function checkedVerdict(
  provider: string,
  step: ProviderDefinitionStep,
  result: unknown,
  httpStatus: number | undefined,
): ValidationResult {
  const status = httpStatus === undefined ? {} : { httpStatus };
  try {
    if (typeof result === 'object' && result !== null) {
      const kind = readProp(result, 'status');
      if (kind === 'valid') return VALID;
      if (kind === 'invalid') {
        const reason = readProp(result, 'reason');
        if (typeof reason === 'string' && REASON.test(reason)) {
          return Object.freeze({ status: 'invalid', reason, ...status });
        }
      }
      if (kind === 'rate_limited') {
        const wait = readProp(result, 'retryAfterMs');
        const clamped = typeof wait === 'number' ? clampWait(wait) : undefined;
        if (wait === undefined || clamped !== undefined) {
          return Object.freeze({
            status: 'rate_limited',
            ...(clamped === undefined ? {} : { retryAfterMs: clamped }),
            ...status,
          });
        }
      }
      if (kind === 'unreachable') {
        const reason = readProp(result, 'reason');
        if (UNREACHABLE_REASONS.includes(reason as UnreachableReason)) {
          return Object.freeze({
            status: 'unreachable',
            reason: reason as UnreachableReason,
            ...status,
          });
        }
      }
    }
  } catch {
    // Fall through to the error below.
  }
  throw new ProviderDefinitionError(provider, step, 'bad_result');
}

const VALID: ValidationResult = Object.freeze({ status: 'valid' });

/**
 * The default reading of a validation answer: 2xx is valid; otherwise the classification decides
 * (`auth_failed` → invalid, `rate_limited` → rate_limited, `other` → unreachable: `server_error`
 * for a 5xx, `unexpected_response` for anything else).
 */
export function verdictFromClassification(
  reply: UpstreamReply,
  classification: FailureClassification,
): ValidationResult {
  if (reply.status >= 200 && reply.status < 300) return VALID;
  if (classification.kind === 'auth_failed') {
    return { status: 'invalid', reason: classification.reason };
  }
  if (classification.kind === 'rate_limited') {
    return classification.retryAfterMs === undefined
      ? { status: 'rate_limited' }
      : { status: 'rate_limited', retryAfterMs: classification.retryAfterMs };
  }
  return {
    status: 'unreachable',
    reason: reply.status >= 500 ? 'server_error' : 'unexpected_response',
  };
}
