// The write and admin operations on one owner's stored keys (internal): set, enable and disable,
// test, delete, restore and list. Each ends by invalidating what `resolve` cached for the key, so
// this process's own changes take effect at once.
import { InvalidInputError, isCofferError, Redacted } from '@coffer/core';
import type { VaultEntryInfo, VaultReader } from '@coffer/vault';
import type { Emit } from './_event-hook.js';
import { allEntries, findKey, mutate, withStatus } from './_key-entries.js';
import { toProviderKeyInfo } from './_key-info.js';
import { objectOf, type ProviderKeysSettings, providerId, writeActor } from './_options.js';
import {
  entryName,
  PROVIDER_KEY_KIND,
  providerOfName,
  readMeta,
  type StoredMeta,
  writeMeta,
} from './_stored-key.js';
import { displayPrefix } from './display-prefix.js';
import {
  ProviderKeyBusyError,
  ProviderKeyConflictError,
  ProviderKeyNotFoundError,
} from './errors.js';
import { checkKeyFormat } from './key-format.js';
import type { ProviderKey } from './provider-definition.js';
import type { ProviderKeyInfo, ProviderKeyTestResult } from './provider-key-info.js';
import { validateKey } from './validate-key.js';

const SET_ATTEMPTS = 4;

/** The operations of `ScopedProviderKeys` but `resolve`, for any owner (already checked). */
export interface KeyAdmin {
  set(owner: string, provider: unknown, key: unknown, options: unknown): Promise<ProviderKeyInfo>;
  setStatus(
    owner: string,
    provider: unknown,
    status: 'active' | 'disabled',
    options: unknown,
  ): Promise<ProviderKeyInfo>;
  test(owner: string, provider: unknown, options: unknown): Promise<ProviderKeyTestResult>;
  remove(owner: string, provider: unknown, options: unknown): Promise<ProviderKeyInfo>;
  restore(owner: string, provider: unknown, options: unknown): Promise<ProviderKeyInfo>;
  list(owner: string, options: unknown): Promise<ProviderKeyInfo[]>;
}

/**
 * The write and admin operations over `settings`' vault and reader. `emit` tells the host of a
 * key a `test` found invalid; `invalidate` drops what `resolve` cached for an (owner, provider).
 */
export function createKeyAdmin(
  settings: ProviderKeysSettings,
  emit: Emit,
  invalidate: (owner: string, provider: string) => void,
): KeyAdmin {
  const {
    providers,
    vault,
    reader,
    clock,
    retentionMs,
    validationFetch,
    validationTimeout,
    defaultActor,
  } = settings;

  function infoOf(e: VaultEntryInfo): ProviderKeyInfo {
    return toProviderKeyInfo(e, providers, retentionMs);
  }

  async function set(
    owner: string,
    givenProvider: unknown,
    key: unknown,
    options: unknown,
  ): Promise<ProviderKeyInfo> {
    const provider = providerId(providers, givenProvider);
    const definition = providers.get(provider);
    const actor = writeActor(options, defaultActor);
    const format = checkKeyFormat(definition, key as ProviderKey);
    if (!format.ok) {
      throw new InvalidInputError(
        `The key does not have the ${definition.displayName} key format (${format.reason}); nothing was stored. Ask for the key again.`,
        { details: { parameter: 'key', provider, reason: format.reason } },
      );
    }
    const value = Redacted.isRedacted(key)
      ? ((key as Redacted<string>).expose() as string)
      : (key as string);
    const prefix = displayPrefix(definition, value);
    const scoped = vault.forOwner(owner);
    try {
      for (let attempt = 0; attempt < SET_ATTEMPTS; attempt++) {
        const e = await findKey(scoped, provider);
        if (e === undefined) {
          try {
            const meta: StoredMeta = { ...readMeta({}), prefix, keyVersion: 1, statusVersion: 1 };
            const { id } = await scoped.put({
              kind: PROVIDER_KEY_KIND,
              name: entryName(provider),
              status: 'active',
              metadata: writeMeta({ ...meta, provider }),
              value,
              actor,
            });
            return infoOf(await scoped.describe(id));
          } catch (error) {
            // Another set inserted first: rotate its entry instead (the last rotation wins).
            if (isCofferError(error, 'NAME_TAKEN')) continue;
            throw error;
          }
        }
        let version: number;
        try {
          ({ version } = await scoped.rotate(e.id, value, { actor }));
        } catch (error) {
          // Deleted or destroyed in between: insert a new one.
          if (isCofferError(error, 'DELETED') || isCofferError(error, 'NOT_FOUND')) continue;
          throw error;
        }
        const done = await mutate(
          vault,
          owner,
          provider,
          (current, meta) => ({
            status: 'active',
            meta: {
              ...withStatus(current, meta, 'active').meta,
              prefix,
              keyVersion: current.version,
              validation: undefined,
              validationReason: undefined,
              validatedAt: undefined,
              validatedVersion: undefined,
            },
          }),
          { id: e.id, version },
          actor,
        );
        // `superseded`: another set rotated after this one; its update describes the key.
        if (done.outcome !== 'superseded') return infoOf(done.entry);
        const now = await findKey(scoped, provider);
        if (now !== undefined) return infoOf(now);
      }
    } finally {
      invalidate(owner, provider);
    }
    throw new ProviderKeyBusyError(provider);
  }

  async function setStatus(
    owner: string,
    givenProvider: unknown,
    status: 'active' | 'disabled',
    options: unknown,
  ): Promise<ProviderKeyInfo> {
    const provider = providerId(providers, givenProvider);
    const actor = writeActor(options, defaultActor);
    try {
      const done = await mutate(
        vault,
        owner,
        provider,
        (e, meta, current) =>
          current === status && meta.statusVersion === e.version
            ? undefined
            : withStatus(e, meta, status),
        undefined,
        actor,
      );
      if (done.outcome === 'superseded') throw new ProviderKeyNotFoundError(provider);
      return infoOf(done.entry);
    } finally {
      invalidate(owner, provider);
    }
  }

  async function test(
    owner: string,
    givenProvider: unknown,
    options: unknown,
  ): Promise<ProviderKeyTestResult> {
    const provider = providerId(providers, givenProvider);
    const definition = providers.get(provider);
    const o = options === undefined ? {} : objectOf(options, 'options');
    if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
      throw new InvalidInputError('options.signal must be an AbortSignal', {
        details: { parameter: 'signal' },
      });
    }
    const signal = o.signal as AbortSignal | undefined;
    let revealed: Awaited<ReturnType<ReturnType<VaultReader['forOwner']>['revealByName']>>;
    try {
      revealed = await reader.forOwner(owner).revealByName(entryName(provider), {
        actor: defaultActor,
        purpose: `test ${provider} key`,
      });
    } catch (error) {
      if (isCofferError(error, 'NOT_FOUND')) throw new ProviderKeyNotFoundError(provider);
      throw error;
    }
    if (revealed.entry.kind !== PROVIDER_KEY_KIND) {
      throw new ProviderKeyConflictError(provider, 'foreign_entry');
    }
    const result = await validateKey(definition, revealed.value, {
      ...(validationFetch === undefined ? {} : { fetch: validationFetch }),
      ...(validationTimeout === undefined ? {} : { timeoutMs: validationTimeout }),
      ...(signal === undefined ? {} : { signal }),
      now: clock,
    });
    const at = clock();
    const reason =
      result.status === 'invalid' || result.status === 'unreachable' ? result.reason : undefined;
    let invalidated = false;
    try {
      const done = await mutate(
        vault,
        owner,
        provider,
        (e, meta, current) => {
          invalidated = false;
          const recorded: StoredMeta = {
            ...meta,
            validation: result.status,
            validationReason: reason,
            validatedAt: at,
            validatedVersion: e.version,
          };
          if (result.status === 'invalid' && current === 'active') {
            invalidated = true;
            return withStatus(e, recorded, 'invalid', { reason: result.reason, at });
          }
          if (result.status === 'valid' && current === 'invalid') {
            return withStatus(e, recorded, 'active');
          }
          return { meta: recorded };
        },
        { id: revealed.entry.id, version: revealed.version },
        defaultActor,
      );
      if (done.outcome === 'superseded') {
        const now = await findKey(vault.forOwner(owner), provider);
        if (now === undefined) throw new ProviderKeyNotFoundError(provider);
        return { result, recorded: false, key: infoOf(now) };
      }
      if (invalidated && result.status === 'invalid') {
        emit({
          type: 'key_invalidated',
          owner,
          provider,
          keyId: revealed.entry.id,
          version: revealed.version,
          reason: result.reason,
          trigger: 'test',
          at: new Date(at),
        });
      }
      return { result, recorded: true, key: infoOf(done.entry) };
    } finally {
      invalidate(owner, provider);
    }
  }

  async function remove(
    owner: string,
    givenProvider: unknown,
    options: unknown,
  ): Promise<ProviderKeyInfo> {
    const provider = providerId(providers, givenProvider);
    const actor = writeActor(options, defaultActor);
    const scoped = vault.forOwner(owner);
    try {
      const e = await findKey(scoped, provider);
      if (e === undefined) throw new ProviderKeyNotFoundError(provider);
      return infoOf(await scoped.delete(e.id, { actor }));
    } catch (error) {
      if (isCofferError(error, 'NOT_FOUND')) throw new ProviderKeyNotFoundError(provider);
      throw error;
    } finally {
      invalidate(owner, provider);
    }
  }

  async function restore(
    owner: string,
    givenProvider: unknown,
    options: unknown,
  ): Promise<ProviderKeyInfo> {
    const provider = providerId(providers, givenProvider);
    const actor = writeActor(options, defaultActor);
    const scoped = vault.forOwner(owner);
    const name = entryName(provider);
    try {
      const deleted = (await allEntries(scoped, true))
        .filter((e) => e.name === name && e.deletedAt !== null)
        .sort((a, b) => (b.deletedAt?.getTime() ?? 0) - (a.deletedAt?.getTime() ?? 0))[0];
      if (deleted === undefined) throw new ProviderKeyNotFoundError(provider, true);
      try {
        return infoOf(await scoped.restore(deleted.id, { actor }));
      } catch (error) {
        if (isCofferError(error, 'NAME_TAKEN')) {
          throw new ProviderKeyConflictError(provider, 'restore');
        }
        if (isCofferError(error, 'NOT_FOUND')) throw new ProviderKeyNotFoundError(provider, true);
        throw error;
      }
    } finally {
      invalidate(owner, provider);
    }
  }

  async function list(owner: string, options: unknown): Promise<ProviderKeyInfo[]> {
    const o = options === undefined ? {} : objectOf(options, 'options');
    const rows = (await allEntries(vault.forOwner(owner), o.includeDeleted === true))
      .filter((e) => providerOfName(e.name) !== undefined)
      .map(infoOf);
    const order = providers.ids();
    const rank = (p: string): number => {
      const i = order.indexOf(p);
      return i === -1 ? order.length : i;
    };
    return rows.sort(
      (a, b) =>
        rank(a.provider) - rank(b.provider) ||
        a.provider.localeCompare(b.provider) ||
        (a.deletedAt === null ? 0 : 1) - (b.deletedAt === null ? 0 : 1),
    );
  }

  return { set, setStatus, test, remove, restore, list };
}
