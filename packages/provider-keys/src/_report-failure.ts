// `reportFailure` (internal): what the caller says about a failed call, read and checked, then
// acted on — a customer key marked invalid, or skipped by `resolve` while rate-limited.
import { InvalidInputError, isCofferError } from '@coffer/core';
import type { Emit } from './_event-hook.js';
import { type KeyPin, mutate, withStatus } from './_key-entries.js';
import { objectOf, type ProviderKeysSettings } from './_options.js';
import type { Resolver } from './_resolver.js';
import { effectiveStatus, readMeta } from './_stored-key.js';
import { classifyUpstreamFailure, type UpstreamResponse } from './classify-failure.js';
import type { FailureClassification } from './provider-definition.js';
import type { ProviderKeyRef, ReportFailureResult } from './resolved-provider-key.js';
import { MAX_RETRY_AFTER_MS } from './retry-after.js';

const REASON = /^[a-z][a-z0-9_]{0,47}$/;

/** `ProviderKeys.reportFailure`. */
export type ReportFailure = (
  ref: ProviderKeyRef,
  failure: UpstreamResponse | FailureClassification,
) => Promise<ReportFailureResult>;

/**
 * `reportFailure` over `settings`, for the refs `resolver` made: `emit` tells the host of a key
 * marked invalid, rate-limited, or a failed platform key.
 */
export function createFailureReporter(
  settings: ProviderKeysSettings,
  emit: Emit,
  resolver: Resolver,
): ReportFailure {
  const { providers, vault, clock, rateLimitFallback, defaultActor } = settings;
  /** Markings in progress, by key, id, version and reason: a burst of 401s makes one write. */
  const markings = new Map<string, Promise<ReportFailureResult>>();

  /**
   * The failure as a classification. What the caller passes is read once, field by field: a value
   * whose getters throw (a hostile proxy) is `INVALID_INPUT`, never its own error.
   */
  function checkFailure(provider: string, failure: unknown): FailureClassification {
    try {
      return readFailure(provider, failure);
    } catch (error) {
      if (isCofferError(error)) throw error;
      throw new InvalidInputError(
        'failure could not be read: pass { status, headers?, body? } or a classification',
        {
          details: { parameter: 'failure' },
        },
      );
    }
  }

  function readFailure(provider: string, failure: unknown): FailureClassification {
    const f = objectOf(failure, 'failure');
    if (typeof f.kind === 'string') {
      if (f.kind === 'auth_failed') {
        if (typeof f.reason !== 'string' || !REASON.test(f.reason)) {
          throw new InvalidInputError(
            'failure.reason must be a reason code (^[a-z][a-z0-9_]{0,47}$) for auth_failed',
            { details: { parameter: 'failure' } },
          );
        }
        return { kind: 'auth_failed', reason: f.reason };
      }
      if (f.kind === 'rate_limited') {
        if (f.retryAfterMs === undefined) return { kind: 'rate_limited' };
        if (
          typeof f.retryAfterMs !== 'number' ||
          !Number.isFinite(f.retryAfterMs) ||
          f.retryAfterMs < 0
        ) {
          throw new InvalidInputError('failure.retryAfterMs must be a number of milliseconds ≥ 0', {
            details: { parameter: 'failure' },
          });
        }
        return {
          kind: 'rate_limited',
          retryAfterMs: Math.min(Math.ceil(f.retryAfterMs), MAX_RETRY_AFTER_MS),
        };
      }
      if (f.kind === 'other') return { kind: 'other' };
      throw new InvalidInputError("failure.kind must be 'auth_failed', 'rate_limited' or 'other'", {
        details: { parameter: 'failure' },
      });
    }
    return classifyUpstreamFailure(providers.get(provider), f as unknown as UpstreamResponse, {
      now: clock(),
    });
  }

  async function reportFailure(
    givenRef: ProviderKeyRef,
    failure: UpstreamResponse | FailureClassification,
  ): Promise<ReportFailureResult> {
    const data =
      typeof givenRef === 'object' && givenRef !== null ? resolver.refData(givenRef) : undefined;
    if (data === undefined) {
      throw new InvalidInputError('ref must be the ref of a key this manager resolved', {
        details: { parameter: 'ref' },
      });
    }
    const { owner, provider } = data;
    const classification = checkFailure(provider, failure);
    const now = clock();
    if (classification.kind === 'other') return { action: 'none', classification };
    if (data.source === 'platform' || data.id === undefined || data.version === undefined) {
      emit({
        type: 'platform_key_failed',
        owner,
        provider,
        kind: classification.kind,
        ...(classification.kind === 'auth_failed' ? { reason: classification.reason } : {}),
        at: new Date(now),
      });
      return { action: 'none', classification };
    }
    const pin = { id: data.id, version: data.version };
    if (classification.kind === 'rate_limited') {
      if (resolver.cachesAnotherKey(owner, provider, pin)) {
        return { action: 'superseded', classification };
      }
      const until = now + (classification.retryAfterMs ?? rateLimitFallback);
      resolver.rateLimit(owner, provider, pin, until, now);
      emit({
        type: 'key_rate_limited',
        owner,
        provider,
        keyId: pin.id,
        version: pin.version,
        until: new Date(until),
        at: new Date(now),
      });
      return { action: 'rate_limited', classification, until: new Date(until) };
    }
    const reason = classification.reason;
    const markingKey = `${owner}\u0000${provider}\u0000${pin.id}\u0000${pin.version}\u0000${reason}`;
    let marking = markings.get(markingKey);
    if (marking === undefined) {
      marking = markInvalid(owner, provider, pin, classification, now);
      markings.set(markingKey, marking);
      const settled = marking;
      void settled.then(
        () => markings.delete(markingKey),
        () => markings.delete(markingKey),
      );
    }
    return marking;
  }

  async function markInvalid(
    owner: string,
    provider: string,
    pin: KeyPin,
    classification: Extract<FailureClassification, { kind: 'auth_failed' }>,
    now: number,
  ): Promise<ReportFailureResult> {
    const reason = classification.reason;
    let marked = false;
    try {
      const done = await mutate(
        vault,
        owner,
        provider,
        (e, meta, status) => {
          marked = false;
          if (status !== 'active') return undefined; // already invalid, or disabled: keep it
          marked = true;
          return withStatus(e, meta, 'invalid', { reason, at: now });
        },
        pin,
        defaultActor,
      );
      if (done.outcome === 'superseded') return { action: 'superseded', classification };
      if (done.outcome === 'unchanged' || !marked) {
        const status = effectiveStatus(done.entry, readMeta(done.entry.metadata));
        return { action: status === 'invalid' ? 'marked_invalid' : 'superseded', classification };
      }
      emit({
        type: 'key_invalidated',
        owner,
        provider,
        keyId: pin.id,
        version: pin.version,
        reason,
        trigger: 'upstream',
        at: new Date(now),
      });
      return { action: 'marked_invalid', classification };
    } finally {
      resolver.invalidate(owner, provider);
    }
  }

  return reportFailure;
}
