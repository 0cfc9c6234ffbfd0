import { basicKeyProblem, keyText } from './_key-text.js';
import { ProviderDefinitionError } from './errors.js';
import {
  KEY_FORMAT_REASONS,
  type KeyFormatReason,
  type KeyFormatResult,
  type ProviderDefinition,
  type ProviderKey,
} from './provider-definition.js';

const OK: KeyFormatResult = Object.freeze({ ok: true });
const failures = new Map<KeyFormatReason, KeyFormatResult>(
  KEY_FORMAT_REASONS.map((reason) => [reason, Object.freeze({ ok: false, reason })]),
);

/** The frozen failure result for `reason` (internal). */
export function formatFailure(reason: KeyFormatReason): KeyFormatResult {
  return failures.get(reason) ?? Object.freeze({ ok: false, reason });
}

/**
 * Checks that `key` has `provider`'s key format, without contacting anyone. Every key first must
 * be a non-empty string (or `Redacted` string) of at most 4096 visible ASCII characters — no
 * whitespace anywhere (a key is never trimmed), no look-alike letters, no control characters —
 * then the provider's own rule runs. The result never contains any of the key.
 *
 * @param provider The provider's definition.
 * @param key The key, as text or `Redacted`.
 * @returns `{ ok: true }` or `{ ok: false, reason }` (a {@link KeyFormatReason}).
 * @throws {ProviderDefinitionError} `PROVIDER_DEFINITION_FAILED` when a host-added provider's
 *   `checkFormat` throws or returns something else than a format result.
 *
 * @example
 * ```ts
 * import { anthropic, checkKeyFormat, openai } from '@coffer/provider-keys';
 *
 * checkKeyFormat(openai, `sk-proj-${'a'.repeat(40)}`); // { ok: true }
 * checkKeyFormat(openai, `sk-ant-api03-${'a'.repeat(93)}AA`); // { ok: false, reason: 'wrong_provider' }
 * checkKeyFormat(anthropic, ` sk-ant-api03-${'a'.repeat(93)}AA`); // { ok: false, reason: 'whitespace' }
 * ```
 */
export function checkKeyFormat(provider: ProviderDefinition, key: ProviderKey): KeyFormatResult {
  const text = keyText(key);
  const problem = basicKeyProblem(text);
  if (problem !== undefined || text === undefined) return formatFailure(problem ?? 'not_a_string');
  let result: unknown;
  try {
    result = provider.checkFormat(text);
  } catch {
    throw new ProviderDefinitionError(provider.id, 'checkFormat', 'threw');
  }
  if (typeof result === 'object' && result !== null) {
    const { ok, reason } = result as { ok?: unknown; reason?: unknown };
    if (ok === true) return OK;
    if (ok === false && KEY_FORMAT_REASONS.includes(reason as KeyFormatReason)) {
      return formatFailure(reason as KeyFormatReason);
    }
  }
  throw new ProviderDefinitionError(provider.id, 'checkFormat', 'bad_result');
}
