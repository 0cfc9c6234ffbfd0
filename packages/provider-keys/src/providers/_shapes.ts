// The key formats of the built-in providers (internal), in one place so each can tell "this is
// another provider's key" (`wrong_provider`) from "this is no key at all" (`wrong_prefix`).
// Every function receives text that already passed the common checks: 1–4096 visible ASCII
// characters, no whitespace.
//
// What is documented and what is only observed (docs/provider-keys.md has the sources):
//
//   OpenAI     `sk-` keys. `sk-proj-` (project), `sk-svcacct-` (service account) and `sk-admin-`
//              (Admin API; OpenAI's admin-key reference shows `sk-admin-…` values) are the
//              prefixes of keys OpenAI issues today; the body's length is not specified. We accept
//              `sk-` + 20–400 URL-safe characters and refuse `sk-admin-` (admin keys cannot call
//              models).
//   Anthropic  `sk-ant-api03-…` (Anthropic's Admin API shows `partial_key_hint`
//              `sk-ant-api03-R2D...igAA`); the body length is not specified. We accept
//              `sk-ant-apiNN-` + 40–300 URL-safe characters, refuse `sk-ant-admin…` (Admin API
//              keys cannot send messages) and `sk-ant-oat…` (subscription OAuth tokens, not API
//              keys).
//   Google     Standard keys `AIza` + 35 URL-safe characters (39 in all), and the authorization
//              keys ("auth keys", bound to a service account) that AI Studio issues since 2026,
//              which start `AQ.`; Google documents neither body. Google says standard keys stop
//              working with the Gemini API in September 2026: they still pass the format check,
//              and the validator reports what Google answers.
//   Mistral    Mistral does not publish a key format. Keys seen in the wild are 32 letters and
//              digits; we check only 20–256 URL-safe characters that are no other built-in
//              provider's key.
import type { KeyFormatReason, KeyFormatResult } from '../provider-definition.js';

const URL_SAFE = /^[A-Za-z0-9_-]+$/;
const URL_SAFE_OR_DOT = /^[A-Za-z0-9_.-]+$/;
const OK: KeyFormatResult = Object.freeze({ ok: true });

function fail(reason: KeyFormatReason): KeyFormatResult {
  return { ok: false, reason };
}

/** The body after a prefix: URL-safe and within bounds. */
function body(rest: string, min: number, max: number, charset = URL_SAFE): KeyFormatResult {
  if (!charset.test(rest)) return fail('invalid_characters');
  if (rest.length < min || rest.length > max) return fail('wrong_length');
  return OK;
}

const OPENAI_PREFIXES = ['sk-proj-', 'sk-svcacct-', 'sk-'] as const;

/** OpenAI's shape, without the cross-provider check. */
function openaiOwn(key: string): KeyFormatResult {
  if (key.startsWith('sk-admin-')) return fail('admin_key');
  if (key.startsWith('sk-ant-')) return fail('wrong_provider');
  const prefix = OPENAI_PREFIXES.find((p) => key.startsWith(p));
  if (prefix === undefined) return fail('wrong_prefix');
  if (key.length > 400) return fail('wrong_length');
  return body(key.slice(prefix.length), 20, 400);
}

/** Anthropic's shape, without the cross-provider check. */
function anthropicOwn(key: string): KeyFormatResult {
  if (/^sk-ant-admin\d{2}-/.test(key)) return fail('admin_key');
  const match = /^sk-ant-api\d{2}-/.exec(key);
  if (match === null)
    return fail(key.startsWith('sk-ant-') ? 'unsupported_key_type' : 'wrong_prefix');
  return body(key.slice(match[0].length), 40, 300);
}

/** Google's shape, without the cross-provider check. */
function googleOwn(key: string): KeyFormatResult {
  if (key.startsWith('AIza')) {
    const rest = key.slice(4);
    if (!URL_SAFE.test(rest)) return fail('invalid_characters');
    return rest.length === 35 ? OK : fail('wrong_length');
  }
  if (key.startsWith('AQ.')) return body(key.slice(3), 20, 1000, URL_SAFE_OR_DOT);
  return fail('wrong_prefix');
}

/** Mistral's (undocumented) shape, without the cross-provider check. */
function mistralOwn(key: string): KeyFormatResult {
  return body(key, 20, 256);
}

const OWN = {
  openai: openaiOwn,
  anthropic: anthropicOwn,
  google: googleOwn,
} as const;

type Shaped = keyof typeof OWN;

/** Whether `key` is a well-formed key of a built-in provider other than `except`. */
function isOtherProvidersKey(key: string, except: Shaped | 'mistral' | 'meta'): boolean {
  for (const [name, own] of Object.entries(OWN)) {
    if (name !== except && own(key).ok) return true;
  }
  return false;
}

/** A `wrong_prefix` becomes `wrong_provider` when the key is another provider's. */
function withCrossCheck(key: string, result: KeyFormatResult, self: Shaped): KeyFormatResult {
  if (!result.ok && result.reason === 'wrong_prefix' && isOtherProvidersKey(key, self)) {
    return fail('wrong_provider');
  }
  return result;
}

/** The OpenAI key format. */
export function openaiKeyFormat(key: string): KeyFormatResult {
  return withCrossCheck(key, openaiOwn(key), 'openai');
}

/** The Anthropic key format. */
export function anthropicKeyFormat(key: string): KeyFormatResult {
  return withCrossCheck(key, anthropicOwn(key), 'anthropic');
}

/** The Google (Gemini API) key format. */
export function googleKeyFormat(key: string): KeyFormatResult {
  return withCrossCheck(key, googleOwn(key), 'google');
}

/** The Mistral key check: charset and length only, and no other provider's key. */
export function mistralKeyFormat(key: string): KeyFormatResult {
  if (isOtherProvidersKey(key, 'mistral') || key.startsWith('sk-')) return fail('wrong_provider');
  return mistralOwn(key);
}

/**
 * A Meta access token: opaque (Meta documents no format), so only its characters and length are
 * checked — 20–2048 characters of letters, digits and `_ . | -` (app tokens hold a `|`) — and that
 * it is no other built-in provider's key.
 */
export function metaTokenFormat(key: string): KeyFormatResult {
  if (isOtherProvidersKey(key, 'meta') || key.startsWith('sk-')) return fail('wrong_provider');
  if (!/^[A-Za-z0-9_.|-]+$/.test(key)) return fail('invalid_characters');
  if (key.length < 20 || key.length > 2048) return fail('wrong_length');
  return OK;
}
