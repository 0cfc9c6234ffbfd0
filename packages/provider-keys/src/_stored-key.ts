// How a customer's provider key is kept in the vault (internal). One named entry per owner and
// provider: kind `provider-key`, name `provider-key:<provider id>`, so the vault's unique index on
// an owner's live names is what allows at most one key per (owner, provider). The key is the
// entry's sealed value; everything else is clear text:
//
//   status    'active' | 'disabled' | 'invalid'        (the vault's status column)
//   metadata  provider        the provider id
//             prefix          the display prefix of the key of version `keyVersion`
//             keyVersion      the entry version `prefix` describes
//             statusVersion   the entry version `status` is about
//             invalidReason, invalidAt (epoch ms)               while status is 'invalid'
//             validation, validationReason, validatedAt, validatedVersion   the last `test`
//             lastUsedAt      epoch ms, written at most once per interval
//
// `set` of an existing key is two vault statements: a rotation (new version, same id), then an
// update of status and metadata pinned to that version. A status or prefix about an older version
// than the entry's is therefore one whose `set` did not finish (a crash between the two): the new
// key then counts as `active` — what `set` asked for — and shows the vault's own preview of it.
import type { JsonObject, VaultEntryInfo } from '@coffer/vault';

/** The vault kind of every stored provider key. */
export const PROVIDER_KEY_KIND = 'provider-key';

/** The vault name of the key of `provider` (a provider id: `^[a-z][a-z0-9-]{0,31}$`). */
export function entryName(provider: string): string {
  return `${PROVIDER_KEY_KIND}:${provider}`;
}

/** The provider id an entry name stands for, or `undefined` for another name. */
export function providerOfName(name: string | null): string | undefined {
  if (name === null || !name.startsWith(`${PROVIDER_KEY_KIND}:`)) return undefined;
  return name.slice(PROVIDER_KEY_KIND.length + 1);
}

/** A stored key's status, as `list` shows it and `resolve` uses it. */
export type StoredStatus = 'active' | 'disabled' | 'invalid';

/** The metadata of a stored key, read defensively (the store is shared with the host). */
export interface StoredMeta {
  provider: string | undefined;
  prefix: string | undefined;
  keyVersion: number | undefined;
  statusVersion: number | undefined;
  invalidReason: string | undefined;
  invalidAt: number | undefined;
  validation: string | undefined;
  validationReason: string | undefined;
  validatedAt: number | undefined;
  validatedVersion: number | undefined;
  lastUsedAt: number | undefined;
}

const SHORT_TEXT = /^[\x21-\x7e]{1,160}$/;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && SHORT_TEXT.test(value) ? value : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** The metadata fields this package writes; anything else (or of the wrong type) is ignored. */
export function readMeta(metadata: JsonObject): StoredMeta {
  const m = metadata as Record<string, unknown>;
  const own = (key: string): unknown => (Object.hasOwn(metadata, key) ? m[key] : undefined);
  return {
    provider: text(own('provider')),
    prefix: typeof own('prefix') === 'string' ? (own('prefix') as string).slice(0, 160) : undefined,
    keyVersion: count(own('keyVersion')),
    statusVersion: count(own('statusVersion')),
    invalidReason: text(own('invalidReason')),
    invalidAt: count(own('invalidAt')),
    validation: text(own('validation')),
    validationReason: text(own('validationReason')),
    validatedAt: count(own('validatedAt')),
    validatedVersion: count(own('validatedVersion')),
    lastUsedAt: count(own('lastUsedAt')),
  };
}

/** The metadata object to store (fields that are `undefined` are left out). */
export function writeMeta(meta: StoredMeta): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(meta)) {
    if (value !== undefined) out[key] = value as string | number;
  }
  return out;
}

/**
 * The status that counts: the stored one while it is about the current version; `active` when
 * the entry moved to a newer version without its status (an interrupted `set`); an unknown stored
 * status (written by something else) counts as `disabled`, so an unexpected value never makes a
 * key used.
 */
export function effectiveStatus(entry: VaultEntryInfo, meta: StoredMeta): StoredStatus {
  if (meta.statusVersion !== entry.version) return 'active';
  const s = entry.status;
  return s === 'active' || s === 'disabled' || s === 'invalid' ? s : 'disabled';
}

/** The display prefix of the current version: ours when it is about it, else the vault's preview. */
export function currentPrefix(entry: VaultEntryInfo, meta: StoredMeta): string {
  return meta.keyVersion === entry.version && meta.prefix !== undefined
    ? meta.prefix
    : entry.preview;
}
