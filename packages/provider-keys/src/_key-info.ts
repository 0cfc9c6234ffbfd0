// A stored key as a dashboard sees it (internal): the vault entry and its metadata, read into a
// {@link ProviderKeyInfo}.
import type { VaultEntryInfo } from '@coffer/vault';
import { currentPrefix, effectiveStatus, providerOfName, readMeta } from './_stored-key.js';
import type { ValidationResult } from './provider-definition.js';
import type { ProviderKeyInfo } from './provider-key-info.js';
import type { ProviderRegistry } from './provider-registry.js';

/**
 * The {@link ProviderKeyInfo} of a provider-key entry; `retentionMs` is how long a deleted key
 * stays restorable.
 */
export function toProviderKeyInfo(
  e: VaultEntryInfo,
  providers: ProviderRegistry,
  retentionMs: number,
): ProviderKeyInfo {
  const meta = readMeta(e.metadata);
  const provider = providerOfName(e.name) ?? meta.provider ?? '';
  const status = effectiveStatus(e, meta);
  const fresh = meta.statusVersion === e.version;
  const displayName = providers.has(provider) ? providers.get(provider).displayName : null;
  return Object.freeze({
    provider,
    displayName,
    id: e.id,
    version: e.version,
    status,
    invalid:
      status === 'invalid' && fresh
        ? Object.freeze({
            reason: meta.invalidReason ?? 'key_rejected',
            at: new Date(meta.invalidAt ?? e.updatedAt.getTime()),
          })
        : null,
    displayPrefix: currentPrefix(e, meta),
    lastValidated:
      meta.validatedVersion === e.version &&
      meta.validatedAt !== undefined &&
      meta.validation !== undefined
        ? Object.freeze({
            at: new Date(meta.validatedAt),
            status: meta.validation as ValidationResult['status'],
            reason: meta.validationReason ?? null,
          })
        : null,
    lastUsedAt: meta.lastUsedAt === undefined ? null : new Date(meta.lastUsedAt),
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    deletedAt: e.deletedAt,
    restorableUntil: e.deletedAt === null ? null : new Date(e.deletedAt.getTime() + retentionMs),
  });
}
