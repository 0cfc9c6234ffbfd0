// Secrets stored in @coffer/vault: one named vault entry per secret (name = physical name, owner =
// the workspace or a fixed owner), values encrypted and versioned by the vault, every read an
// audited reveal through the reader. The entry's clear-text metadata carries each version's
// creation time and non-secret metadata, and the rotation state; its status is `rotating` while a
// rotation is under way. Writes are check-and-set: `put` with a name the database keeps unique,
// `rotate` with the expected version, `update` with the expected revision.
import { InvalidInputError, isCofferError, Redacted } from '@coffer/core';
import type { JsonObject, JsonValue, Vault, VaultEntryInfo, VaultReader } from '@coffer/vault';
import { MAX_RETAINED_VERSIONS, type SecretRotationPolicy } from './rotation-policy.js';
import type {
  SecretRef,
  SecretRotationState,
  SecretStateRecord,
  SecretWrite,
  SecretWriteResult,
  StatefulSecretSource,
  StoredSecretSnapshot,
  StoredSecretVersion,
} from './secret-source.js';

/** The vault `kind` of every app-secret entry. */
export const APP_SECRET_KIND = 'app-secret';

/** Options of {@link createVaultSecretSource}. */
export interface VaultSecretSourceOptions {
  /** The vault the values are written to (`createVault`). */
  readonly vault: Vault;
  /** The reader values are revealed through (`createVaultReader`, with an audit sink). */
  readonly reader: VaultReader;
  /**
   * The vault owner of the entries: a fixed string, or by default the definition's workspace. All
   * of one definition's secrets share it; entries are named by physical name within it.
   */
  readonly owner?: string;
  /** Who reads and writes, in the vault's audit events (default `coffer-secrets`). */
  readonly actor?: string;
  /** The clock (ms since the epoch) for retention and state; `Date.now` unless given. */
  readonly now?: () => number;
}

const UPDATE_ATTEMPTS = 8;
const EMPTY_STATE: SecretRotationState = Object.freeze({
  lastRotatedAt: null,
  nextDueAt: null,
  inProgress: null,
  lastError: null,
});

interface VersionNote {
  readonly at: number;
  readonly metadata: Readonly<Record<string, string>>;
}

interface EntryData {
  readonly versions: ReadonlyMap<number, VersionNote>;
  readonly state: SecretRotationState;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function stringMap(value: unknown): Readonly<Record<string, string>> | null {
  if (!isObject(value)) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') return null;
    out[k] = v;
  }
  return Object.freeze(out);
}

/** Reads what this source keeps in an entry's metadata; anything malformed reads as absent. */
function parseEntry(metadata: JsonObject): EntryData {
  const versions = new Map<number, VersionNote>();
  const notes = metadata.versions;
  if (isObject(notes)) {
    for (const [k, note] of Object.entries(notes)) {
      const n = Number(k);
      if (!Number.isSafeInteger(n) || n < 1 || !isObject(note)) continue;
      const at = finite(note.at);
      const md = stringMap(note.metadata ?? {});
      if (at !== null && md !== null) versions.set(n, { at, metadata: md });
    }
  }
  const r = metadata.rotation;
  let state = EMPTY_STATE;
  if (isObject(r)) {
    const p = r.inProgress;
    const e = r.lastError;
    const inProgress =
      isObject(p) &&
      typeof p.claim === 'string' &&
      finite(p.fromVersion) !== null &&
      finite(p.startedAt) !== null &&
      finite(p.leaseUntil) !== null
        ? {
            fromVersion: p.fromVersion as number,
            startedAt: p.startedAt as number,
            leaseUntil: p.leaseUntil as number,
            claim: p.claim,
            pendingMetadata: p.pendingMetadata === null ? null : stringMap(p.pendingMetadata),
          }
        : null;
    const at = isObject(e) ? finite(e.at) : null;
    state = {
      lastRotatedAt: finite(r.lastRotatedAt),
      nextDueAt: finite(r.nextDueAt),
      inProgress,
      lastError:
        isObject(e) && typeof e.code === 'string' && at !== null ? { code: e.code, at } : null,
    };
  }
  return { versions, state };
}

function stateJson(state: SecretRotationState): JsonObject {
  const p = state.inProgress;
  return {
    lastRotatedAt: state.lastRotatedAt,
    nextDueAt: state.nextDueAt,
    inProgress:
      p === null
        ? null
        : {
            fromVersion: p.fromVersion,
            startedAt: p.startedAt,
            leaseUntil: p.leaseUntil,
            claim: p.claim,
            pendingMetadata: p.pendingMetadata === null ? null : { ...p.pendingMetadata },
          },
    lastError: state.lastError === null ? null : { ...state.lastError },
  };
}

/** The metadata object: version notes (only those that can still be accepted) and the state. */
function entryJson(
  mode: string,
  current: number,
  versions: ReadonlyMap<number, VersionNote>,
  state: SecretRotationState,
): JsonObject {
  const notes: { [key: string]: JsonValue } = {};
  for (const [n, note] of versions) {
    if (n > current || n < current - MAX_RETAINED_VERSIONS) continue;
    notes[String(n)] = { at: note.at, metadata: { ...note.metadata } };
  }
  return { format: 'coffer-app-secret/v1', mode, versions: notes, rotation: stateJson(state) };
}

function codeOf(error: unknown): string | undefined {
  return isCofferError(error) ? error.code : undefined;
}

/** The earlier versions `policy` still accepts, newest first (the current one excluded). */
function acceptedEarlier(
  policy: SecretRotationPolicy,
  current: number,
  currentAt: number,
  versions: ReadonlyMap<number, VersionNote>,
  now: number,
): number[] {
  const out: number[] = [];
  const oldest = Math.max(1, current - MAX_RETAINED_VERSIONS);
  for (let n = current - 1; n >= oldest; n--) {
    if (policy.retain.kind === 'versions') {
      if (out.length >= policy.retain.versions) break;
    } else {
      // Accepted while less than `ms` has passed since it was replaced (by version n + 1). A
      // replacement time that was never recorded counts as long ago: refuse rather than guess.
      const replacedAt = n + 1 === current ? currentAt : versions.get(n + 1)?.at;
      if (replacedAt === undefined || now >= replacedAt + policy.retain.ms) break;
    }
    out.push(n);
  }
  return out;
}

/**
 * A {@link StatefulSecretSource} over `@coffer/vault`: values encrypted by the vault's envelope,
 * versioned (the vault's `maxVersions` must be at least the largest `retain.versions` declared,
 * or older versions are gone before their retention ends), looked up by physical name within one
 * owner, and read through the reader so every read is an audited `reveal`. Supports `set`,
 * `rotate`, `rotateDue()` and `status()` of {@link createSecretsManager}.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `vault` or `reader` is missing, or `owner` /
 *   `actor` is malformed.
 * @example
 * ```ts
 * import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
 * import {
 *   createSecretsClient,
 *   createSecretsManager,
 *   createVaultSecretSource,
 *   defineSecrets,
 *   secret,
 * } from '@coffer/secrets';
 * import { createMemoryVaultStore, createVault, createVaultReader } from '@coffer/vault';
 *
 * const store = createMemoryVaultStore(); // createPostgresStore(…).vault in production
 * const envelope = createEnvelope({
 *   provider: createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }])),
 * });
 * const source = createVaultSecretSource({
 *   vault: createVault({ store, envelope, maxVersions: 3 }),
 *   reader: createVaultReader({ store, envelope, audit: { emit: () => {} } }),
 * });
 * const app = defineSecrets({
 *   workspace: 'acme',
 *   project: 'shop',
 *   environment: 'production',
 *   surfaces: ['api'],
 *   secrets: {
 *     webhookSigning: secret.random({ consumers: ['api'], rotation: { every: '30d', retain: { versions: 1 } } }),
 *   },
 * });
 * const manager = createSecretsManager(app, { source });
 * await manager.rotate('webhookSigning'); // { version: 1, written: true }
 * const api = await createSecretsClient(app, { surface: 'api', source });
 * api.secret('webhookSigning').current().version; // 1
 * ```
 */
export function createVaultSecretSource(options: VaultSecretSourceOptions): StatefulSecretSource {
  const { vault, reader } = options ?? {};
  if (typeof vault?.forOwner !== 'function' || typeof reader?.forOwner !== 'function') {
    throw new InvalidInputError(
      'createVaultSecretSource() needs { vault, reader } from createVault() and createVaultReader()',
      { details: { parameter: 'vault' } },
    );
  }
  const actor = options.actor ?? 'coffer-secrets';
  if (typeof actor !== 'string' || actor.length === 0 || actor.length > 256) {
    throw new InvalidInputError('actor must be 1 to 256 characters', {
      details: { parameter: 'actor' },
    });
  }
  const fixedOwner = options.owner;
  if (fixedOwner !== undefined) vault.forOwner(fixedOwner); // validates it now
  const now = options.now ?? Date.now;
  const ownerOf = (ref: SecretRef): string => fixedOwner ?? ref.owner.workspace;
  const reveal = { actor, purpose: 'app secret' };

  const find = async (ref: SecretRef): Promise<VaultEntryInfo | undefined> => {
    const entry = await vault.forOwner(ownerOf(ref)).findByName(ref.physicalName);
    if (entry !== undefined && entry.kind !== APP_SECRET_KIND) {
      throw new InvalidInputError(
        `the vault entry named ${ref.physicalName} is not an app secret (kind ${entry.kind}); rename or remove it`,
        { details: { parameter: 'owner' } },
      );
    }
    return entry;
  };

  const versionOf = (
    n: number,
    value: Redacted<string>,
    entry: VaultEntryInfo,
    data: EntryData,
  ): StoredSecretVersion => {
    const note = data.versions.get(n);
    const createdAt = note?.at ?? (n === entry.version ? entry.updatedAt.getTime() : undefined);
    return Object.freeze({
      version: n,
      value,
      ...(createdAt === undefined ? {} : { createdAt }),
      metadata: note?.metadata ?? {},
    });
  };

  const revealVersion = async (
    ref: SecretRef,
    n: number | undefined,
  ): Promise<{ entry: VaultEntryInfo; version: number; value: Redacted<string> } | undefined> => {
    try {
      const found = await reader
        .forOwner(ownerOf(ref))
        .revealByName(ref.physicalName, n === undefined ? reveal : { ...reveal, version: n });
      if (found.entry.kind !== APP_SECRET_KIND) return undefined;
      return found;
    } catch (error) {
      if (codeOf(error) === 'NOT_FOUND') return undefined;
      throw error;
    }
  };

  /** Read-modify-write of the entry's metadata with the expected revision, retried on conflict. */
  const amend = async (
    ref: SecretRef,
    change: (entry: VaultEntryInfo, data: EntryData) => JsonObject | undefined,
  ): Promise<void> => {
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const entry = await find(ref);
      if (entry === undefined) return;
      const next = change(entry, parseEntry(entry.metadata));
      if (next === undefined) return;
      try {
        await vault
          .forOwner(ownerOf(ref))
          .update(
            entry.id,
            { metadata: next },
            { expectedRevision: entry.revision, expectedVersion: entry.version, actor },
          );
        return;
      } catch (error) {
        const code = codeOf(error);
        if (code !== 'REVISION_CONFLICT' && code !== 'VERSION_CONFLICT') throw error;
      }
    }
  };

  return {
    kind: 'vault',
    locate: (ref) => `vault entry "${ref.physicalName}" of owner "${ownerOf(ref)}"`,

    async read(ref): Promise<StoredSecretSnapshot | undefined> {
      const head = await revealVersion(ref, undefined);
      if (head === undefined) return undefined;
      const data = parseEntry(head.entry.metadata);
      const current = versionOf(head.version, head.value, head.entry, data);
      const accepted: StoredSecretVersion[] = [current];
      const at = current.createdAt ?? head.entry.updatedAt.getTime();
      for (const n of acceptedEarlier(ref.rotation, head.version, at, data.versions, now())) {
        // A version the vault no longer keeps (maxVersions) cannot be accepted: skip it.
        const found = await revealVersion(ref, n);
        // Gone (pruned), or the name now belongs to a re-created entry: accept nothing older.
        if (found === undefined || found.entry.id !== head.entry.id) break;
        accepted.push(versionOf(n, found.value, head.entry, data));
      }
      return { current, accepted };
    },

    async readVersion(ref, version): Promise<StoredSecretVersion | undefined> {
      const found = await revealVersion(ref, version);
      if (found === undefined) return undefined;
      return versionOf(version, found.value, found.entry, parseEntry(found.entry.metadata));
    },

    async write(ref, write: SecretWrite): Promise<SecretWriteResult> {
      if (!Redacted.isRedacted(write.value) || typeof write.value.expose() !== 'string') {
        throw new InvalidInputError('value must be a Redacted string', {
          details: { parameter: 'value' },
        });
      }
      const text = write.value.expose() as string;
      const scoped = vault.forOwner(ownerOf(ref));
      const at = now();
      const note: VersionNote = { at, metadata: { ...write.metadata } };
      if (write.expectedCurrent === null) {
        const interval = ref.rotation.intervalMs;
        const state: SecretRotationState = {
          ...EMPTY_STATE,
          lastRotatedAt: at,
          nextDueAt: interval === null ? null : at + interval,
        };
        try {
          const { version } = await scoped.put({
            kind: APP_SECRET_KIND,
            name: ref.physicalName,
            status: 'active',
            value: text,
            metadata: entryJson(ref.mode, 1, new Map([[1, note]]), state),
            actor,
          });
          return {
            written: true,
            version: { version, value: write.value, createdAt: at, metadata: note.metadata },
          };
        } catch (error) {
          if (codeOf(error) !== 'NAME_TAKEN') throw error;
          return { written: false, current: (await find(ref))?.version ?? null };
        }
      }
      const entry = await find(ref);
      if (entry === undefined) return { written: false, current: null };
      if (entry.version !== write.expectedCurrent)
        return { written: false, current: entry.version };
      let version: number;
      try {
        ({ version } = await scoped.rotate(entry.id, text, {
          expectedVersion: write.expectedCurrent,
          actor,
        }));
      } catch (error) {
        const code = codeOf(error);
        if (code !== 'VERSION_CONFLICT' && code !== 'NOT_FOUND' && code !== 'DELETED') throw error;
        return { written: false, current: (await find(ref))?.version ?? null };
      }
      // Record the version's time and metadata. If this process dies first, the manager's
      // finalize step (or the next run that resumes the rotation) records it.
      await amend(ref, (current, data) => {
        if (current.version !== version || data.versions.has(version)) return undefined;
        const versions = new Map(data.versions).set(version, note);
        return entryJson(ref.mode, version, versions, data.state);
      });
      return {
        written: true,
        version: { version, value: write.value, createdAt: at, metadata: note.metadata },
      };
    },

    async readState(ref): Promise<SecretStateRecord | undefined> {
      const entry = await find(ref);
      if (entry === undefined) return undefined;
      return {
        version: entry.version,
        revision: entry.revision,
        state: parseEntry(entry.metadata).state,
      };
    },

    async writeState(ref, state, expected, recordVersion): Promise<number | undefined> {
      const entry = await find(ref);
      if (
        entry === undefined ||
        entry.revision !== expected.revision ||
        entry.version !== expected.version
      ) {
        return undefined;
      }
      const data = parseEntry(entry.metadata);
      const versions = new Map(data.versions);
      if (recordVersion !== undefined && !versions.has(recordVersion.version)) {
        versions.set(recordVersion.version, {
          at: recordVersion.version === entry.version ? entry.updatedAt.getTime() : now(),
          metadata: { ...recordVersion.metadata },
        });
      }
      try {
        const updated = await vault.forOwner(ownerOf(ref)).update(
          entry.id,
          {
            metadata: entryJson(ref.mode, entry.version, versions, state),
            status: state.inProgress === null ? 'active' : 'rotating',
          },
          { expectedRevision: expected.revision, expectedVersion: expected.version, actor },
        );
        return updated.revision;
      } catch (error) {
        const code = codeOf(error);
        if (code === 'REVISION_CONFLICT' || code === 'VERSION_CONFLICT' || code === 'NOT_FOUND') {
          return undefined;
        }
        throw error;
      }
    },
  };
}
