import { InvalidInputError, Redacted, utf8Decode } from '@coffer/core';
import type { Envelope } from '@coffer/envelope';
import { emitAudit, type VaultAuditSink } from './audit.js';
import { entryInfo } from './entry-info.js';
import { entryWithVersionByNameReader, entryWithVersionReader } from './entry-with-version.js';
import {
  AuditFailedError,
  VaultEntryDeletedError,
  VaultNotFoundError,
  VaultStoreUnsupportedError,
} from './errors.js';
import { sealContext } from './seal-context.js';
import {
  checkAuditSink,
  checkId,
  checkName,
  checkObject,
  checkOptionalFunction,
  checkOwner,
  checkText,
  checkVersion,
} from './validate.js';
import type { VaultEntryInfo } from './vault.js';
import type {
  VaultEntryRecord,
  VaultEntryWithVersion,
  VaultStore,
  VaultVersionRecord,
} from './vault-store.js';

/**
 * Options of {@link createVaultReader}.
 *
 * @example
 * ```ts
 * import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
 * import { createMemoryVaultStore, type VaultReaderOptions } from '@coffer/vault';
 *
 * const options: VaultReaderOptions = {
 *   store: createMemoryVaultStore(),
 *   envelope: createEnvelope({
 *     provider: createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }])),
 *   }),
 *   audit: { emit: () => {} },
 * };
 * ```
 */
export interface VaultReaderOptions {
  /** The same store the vault writes to. */
  store: VaultStore;
  /** An envelope whose provider holds the KEKs. */
  envelope: Envelope;
  /**
   * Required: receives one `reveal` event per revealed version. To reveal without any record (a
   * test, a one-off script) pass the explicit opt-out `'unaudited'`, which is easy to grep for.
   */
  audit: VaultAuditSink | 'unaudited';
  /** Refuse a reveal whose audit event fails (`AUDIT_FAILED`); `true` unless set to `false`. */
  failOnAuditError?: boolean;
  /** Current time in epoch milliseconds, for audit events; `Date.now` unless given. */
  clock?: () => number;
}

/**
 * Who reads and why: recorded in the audit event.
 *
 * @example
 * ```ts
 * import type { RevealOptions } from '@coffer/vault';
 *
 * const options: RevealOptions = { actor: 'capi-relay', purpose: 'send conversion batch' };
 * ```
 */
export interface RevealOptions {
  /** Who reads (service or person), 1–256 characters. */
  actor: string;
  /** Why, 1–256 characters. */
  purpose: string;
  /** A specific retained version; the current one unless given. */
  version?: number;
}

/**
 * One revealed version (see {@link VaultReader.revealVersions}).
 *
 * @example
 * ```ts
 * import type { RevealedVersion } from '@coffer/vault';
 *
 * const newestFirst = (versions: RevealedVersion[]) => versions.map((v) => v.version);
 * ```
 */
export interface RevealedVersion {
  /** The version number. */
  version: number;
  /** The value, wrapped: call `.expose()` where you use it. */
  value: Redacted<string>;
}

/**
 * One entry revealed by name (see {@link ScopedVaultReader.revealByName}): its metadata (status
 * included), the version revealed, and the value.
 *
 * @example
 * ```ts
 * import type { RevealedEntry } from '@coffer/vault';
 *
 * const usable = (r: RevealedEntry) => r.entry.status === 'active';
 * ```
 */
export interface RevealedEntry {
  /** The entry's metadata, as read together with the value (one snapshot). */
  entry: VaultEntryInfo;
  /** The version revealed: the current one unless another was asked for. */
  version: number;
  /** The value, wrapped: call `.expose()` where you use it. */
  value: Redacted<string>;
}

/**
 * Every retained version of an entry revealed by name (see
 * {@link ScopedVaultReader.revealVersionsByName}).
 *
 * @example
 * ```ts
 * import type { RevealedVersions } from '@coffer/vault';
 *
 * const accepted = (r: RevealedVersions) => r.versions.map((v) => v.version);
 * ```
 */
export interface RevealedVersions {
  /** The entry's metadata. */
  entry: VaultEntryInfo;
  /** The current and every retained earlier version, newest first. */
  versions: RevealedVersion[];
}

/**
 * The reader for one owner (tenant), from {@link VaultReader.forOwner}: what a worker serving one
 * customer should hold. Every reveal is limited to the owner's entries in the store query itself:
 * another owner's id (or a name only another owner uses) answers exactly as a missing one — the
 * same `NOT_FOUND`, code and message, after the same store calls — and opens nothing. Every
 * reveal is audited, with the owner.
 *
 * @example
 * ```ts
 * import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
 * import { createMemoryVaultStore, createVault, createVaultReader } from '@coffer/vault';
 *
 * const store = createMemoryVaultStore();
 * const envelope = createEnvelope({
 *   provider: createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }])),
 * });
 * await createVault({ store, envelope })
 *   .forOwner('org_acme')
 *   .put({ kind: 'provider-key', name: 'openai', status: 'active', value: 'sk-proj-0123456789abcdef' });
 * const reader = createVaultReader({ store, envelope, audit: { emit: () => {} } });
 * const found = await reader.forOwner('org_acme').revealByName('openai', { actor: 'proxy', purpose: 'call openai' });
 * found.entry.status; // 'active'
 * found.value.expose(); // 'sk-proj-0123456789abcdef'
 * await reader.forOwner('org_other').revealByName('openai', { actor: 'proxy', purpose: 'call openai' }); // throws NOT_FOUND
 * ```
 */
export interface ScopedVaultReader {
  /** The owner every reveal is limited to. */
  readonly owner: string;
  /**
   * {@link VaultReader.reveal} of this owner's entry.
   *
   * @throws {VaultNotFoundError} `NOT_FOUND` also for another owner's id. The rest as {@link VaultReader.reveal}.
   */
  reveal(id: string, options: RevealOptions): Promise<Redacted<string>>;
  /**
   * {@link VaultReader.revealBytes} of this owner's entry.
   *
   * @throws {VaultNotFoundError} `NOT_FOUND` also for another owner's id. The rest as {@link VaultReader.revealBytes}.
   */
  revealBytes(id: string, options: RevealOptions): Promise<Redacted<Uint8Array>>;
  /**
   * {@link VaultReader.revealVersions} of this owner's entry.
   *
   * @throws {VaultNotFoundError} `NOT_FOUND` also for another owner's id. The rest as {@link VaultReader.revealVersions}.
   */
  revealVersions(id: string, options: Omit<RevealOptions, 'version'>): Promise<RevealedVersion[]>;
  /**
   * Opens the current (or a retained) version of the owner's live entry named `name`, with the
   * entry's metadata: one store query for both. Audited like `reveal`.
   *
   * @throws {VaultNotFoundError} `NOT_FOUND` when no live entry of this owner has that name (a
   *   soft-deleted one does not count), or that version is not retained.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed name, actor, purpose or version.
   * @throws {AuditFailedError} `AUDIT_FAILED`; {@link VaultStoreUnsupportedError} `STORE_UNSUPPORTED` on a store without names.
   * @throws {EncodingError} `INVALID_ENCODING` for bytes that are not UTF-8; `DECRYPT_FAILED`, `UNKNOWN_KEK`, `RETIRED_KEK` from the envelope.
   */
  revealByName(name: string, options: RevealOptions): Promise<RevealedEntry>;
  /**
   * The current and every retained earlier version of the owner's live entry named `name`, newest
   * first, with its metadata (two store queries: the entry, then its versions). One audit event
   * per version.
   *
   * @throws The same as {@link ScopedVaultReader.revealByName}.
   */
  revealVersionsByName(
    name: string,
    options: Omit<RevealOptions, 'version'>,
  ): Promise<RevealedVersions>;
}

/**
 * The privileged face of the vault, for workers that must use a value (sign a call, send a
 * token). Created separately from the vault so handlers never hold it. Every reveal is audited.
 * A worker serving one customer should use `reader.forOwner(customer)` ({@link ScopedVaultReader}),
 * which cannot open another customer's values even when handed their id.
 *
 * @example
 * ```ts
 * import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
 * import { createMemoryVaultStore, createVault, createVaultReader } from '@coffer/vault';
 *
 * const store = createMemoryVaultStore();
 * const envelope = createEnvelope({
 *   provider: createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }])),
 * });
 * const vault = createVault({ store, envelope });
 * const reader = createVaultReader({ store, envelope, audit: { emit: (e) => console.log(e.action, e.id) } });
 *
 * const { id } = await vault.put({ kind: 'meta-capi-token', owner: 'org_42', value: 'EAAGm0PX4ZCpsBA1234567890abcd' });
 * const token = await reader.reveal(id, { actor: 'capi-relay', purpose: 'send events' });
 * token.expose(); // 'EAAGm0PX4ZCpsBA1234567890abcd'
 * ```
 */
export interface VaultReader {
  /**
   * The reader limited to one owner's entries (see {@link ScopedVaultReader}). Cheap: make one per
   * job or request.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed owner.
   */
  forOwner(owner: string): ScopedVaultReader;
  /**
   * Opens the current (or a retained) version as a UTF-8 string.
   *
   * @throws {VaultNotFoundError} `NOT_FOUND` (also for a version no longer retained).
   * @throws {VaultEntryDeletedError} `DELETED` for a soft-deleted entry.
   * @throws {AuditFailedError} `AUDIT_FAILED` when the audit sink fails (nothing is returned).
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed id, actor, purpose or version.
   * @throws {EncodingError} `INVALID_ENCODING` when the value was stored as bytes that are not UTF-8 (use `revealBytes`).
   * @throws `DECRYPT_FAILED`, `UNKNOWN_KEK`, `RETIRED_KEK` from the envelope when the stored value does not open here.
   */
  reveal(id: string, options: RevealOptions): Promise<Redacted<string>>;
  /**
   * {@link VaultReader.reveal} returning bytes.
   *
   * @throws The same as `reveal`, except `INVALID_ENCODING`.
   */
  revealBytes(id: string, options: RevealOptions): Promise<Redacted<Uint8Array>>;
  /**
   * The current and every retained earlier version, newest first: for accepting either during a
   * rotation overlap (e.g. verifying webhook signatures). One audit event per version.
   *
   * @throws The same as `reveal`.
   */
  revealVersions(id: string, options: Omit<RevealOptions, 'version'>): Promise<RevealedVersion[]>;
}

/**
 * Creates the privileged reader over the vault's store and an envelope. It needs an audit sink:
 * every reveal is recorded (or, with the default `failOnAuditError`, refused when it cannot be).
 * `audit: 'unaudited'` is the one explicit way to reveal without records.
 *
 * @param options See {@link VaultReaderOptions}.
 * @returns The {@link VaultReader}.
 * @throws {InvalidInputError} `INVALID_INPUT` for malformed options (a store or envelope of the
 *   wrong shape, a non-function `clock`, no `audit`, an `audit` without `emit`).
 *
 * @example
 * ```ts
 * import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
 * import { createMemoryVaultStore, createVault, createVaultReader } from '@coffer/vault';
 *
 * const store = createMemoryVaultStore();
 * const envelope = createEnvelope({
 *   provider: createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }])),
 * });
 * const vault = createVault({ store, envelope });
 * const reader = createVaultReader({ store, envelope, audit: { emit: (e) => console.log(e.action, e.id, e.actor) } });
 * const { id } = await vault.put({ kind: 'webhook-secret', owner: 'org_1', value: 'whsec_old_0123456789' });
 * await vault.rotate(id, 'whsec_new_9876543210');
 * const versions = await reader.revealVersions(id, { actor: 'webhook-verifier', purpose: 'verify signature' });
 * versions.map((v) => v.version); // [2, 1]
 * ```
 */
export function createVaultReader(options: VaultReaderOptions): VaultReader {
  const opts = checkObject(options, 'options') as Partial<VaultReaderOptions>;
  const givenStore = opts.store;
  const givenEnvelope = opts.envelope;
  if (
    typeof givenStore !== 'object' ||
    givenStore === null ||
    typeof givenStore.getVersion !== 'function'
  ) {
    throw new InvalidInputError('options.store must be a VaultStore', {
      details: { parameter: 'store' },
    });
  }
  if (
    typeof givenEnvelope !== 'object' ||
    givenEnvelope === null ||
    typeof givenEnvelope.open !== 'function'
  ) {
    throw new InvalidInputError('options.envelope must be an Envelope from createEnvelope()', {
      details: { parameter: 'envelope' },
    });
  }
  const store: VaultStore = givenStore;
  const envelope: Envelope = givenEnvelope;
  if (opts.audit === undefined) {
    throw new InvalidInputError(
      "createVaultReader needs an audit sink: every reveal is recorded. Pass audit: { emit(event) { … } } (a logger, a table, a queue), or audit: 'unaudited' to opt out explicitly (tests, one-off scripts).",
      { details: { parameter: 'audit' } },
    );
  }
  const audit = opts.audit === 'unaudited' ? undefined : checkAuditSink<VaultAuditSink>(opts.audit);
  const failOnAuditError = opts.failOnAuditError !== false;
  const clock = checkOptionalFunction<() => number>(opts.clock, 'clock') ?? Date.now;
  const readEntryWithVersion = entryWithVersionReader(store);
  const readByName = entryWithVersionByNameReader(store);

  function who(o: unknown): { actor: string; purpose: string } {
    const r = checkObject(o, 'options');
    return {
      actor: checkText(r.actor, 'actor', 256),
      purpose: checkText(r.purpose, 'purpose', 256),
    };
  }

  function requestedVersion(o: unknown): number | undefined {
    const version = (o as { version?: unknown }).version;
    return version === undefined ? undefined : checkVersion(version, 'version');
  }

  async function openRow(
    e: VaultEntryRecord,
    row: VaultVersionRecord,
    actor: { actor: string; purpose: string },
  ): Promise<Uint8Array> {
    const plain = await envelope.open(row.sealed, { context: sealContext(e, row.version) });
    const name = (e as Partial<VaultEntryRecord>).name;
    const ok = await emitAudit(audit, {
      action: 'reveal',
      id: e.id,
      owner: e.owner,
      kind: e.kind,
      ...(name === undefined || name === null ? {} : { name }),
      version: row.version,
      actor: actor.actor,
      purpose: actor.purpose,
      at: new Date(clock()),
    });
    if (!ok && failOnAuditError) {
      plain.fill(0);
      throw new AuditFailedError('reveal', false);
    }
    return plain;
  }

  /** The decoded text of `plain`, which is erased either way. */
  function text(plain: Uint8Array): Redacted<string> {
    try {
      return new Redacted(utf8Decode(plain));
    } finally {
      plain.fill(0);
    }
  }

  /**
   * Whether a record read for `owner` really is the owner's: the store's query decides, this only
   * guards against a store that ignores the condition (one written before owner conditions).
   */
  const owns = (e: VaultEntryRecord, owner: string | undefined): boolean =>
    owner === undefined || e.owner === owner;

  async function revealRaw(givenId: unknown, o: unknown, owner: string | undefined) {
    const id = checkId(givenId);
    const actor = who(o);
    const requested = requestedVersion(o);
    const found = await readEntryWithVersion(
      id,
      requested,
      owner === undefined ? undefined : { owner },
    );
    if (found === undefined || !owns(found.entry, owner)) throw new VaultNotFoundError(id);
    if (found.entry.deletedAt !== null) throw new VaultEntryDeletedError(id);
    if (found.version === undefined) {
      throw new VaultNotFoundError(id, requested ?? found.entry.version);
    }
    return await openRow(found.entry, found.version, actor);
  }

  async function revealVersions(
    id: string,
    o: unknown,
    owner: string | undefined,
  ): Promise<RevealedVersion[]> {
    checkId(id);
    const actor = who(o);
    const e = owner === undefined ? await store.getEntry(id) : await store.getEntry(id, { owner });
    if (e === undefined || !owns(e, owner)) throw new VaultNotFoundError(id);
    if (e.deletedAt !== null) throw new VaultEntryDeletedError(id);
    return openAll(e, owner, actor);
  }

  async function openAll(
    e: VaultEntryRecord,
    owner: string | undefined,
    actor: { actor: string; purpose: string },
  ): Promise<RevealedVersion[]> {
    const listed =
      owner === undefined
        ? await store.listVersions(e.id)
        : await store.listVersions(e.id, { owner });
    const rows = listed.sort((a, b) => b.version - a.version);
    const out: RevealedVersion[] = [];
    for (const row of rows) {
      out.push({ version: row.version, value: text(await openRow(e, row, actor)) });
    }
    return out;
  }

  /** The owner's live entry named `name`, as the store found it; `undefined` otherwise. */
  const liveNamed = (
    found: VaultEntryWithVersion | undefined,
    owner: string,
    name: string,
  ): VaultEntryWithVersion | undefined =>
    found === undefined ||
    found.entry.owner !== owner ||
    found.entry.name !== name ||
    found.entry.deletedAt !== null
      ? undefined
      : found;

  function forOwner(givenOwner: unknown): ScopedVaultReader {
    const owner = checkOwner(givenOwner);
    return {
      owner,
      reveal: async (id, revealOptions) => text(await revealRaw(id, revealOptions, owner)),
      revealBytes: async (id, revealOptions) =>
        new Redacted(await revealRaw(id, revealOptions, owner)),
      revealVersions: (id, revealOptions) => revealVersions(id, revealOptions, owner),

      async revealByName(givenName, revealOptions) {
        const name = checkName(givenName);
        const actor = who(revealOptions);
        const requested = requestedVersion(revealOptions);
        const found = liveNamed(await readByName(owner, name, requested), owner, name);
        if (found === undefined) throw new VaultNotFoundError({ name });
        if (found.version === undefined) {
          throw new VaultNotFoundError(found.entry.id, requested ?? found.entry.version);
        }
        const value = text(await openRow(found.entry, found.version, actor));
        return { entry: entryInfo(found.entry), version: found.version.version, value };
      },

      async revealVersionsByName(givenName, revealOptions) {
        const name = checkName(givenName);
        const actor = who(revealOptions);
        if (typeof store.getEntryByName !== 'function') {
          throw new VaultStoreUnsupportedError('getEntryByName');
        }
        const e = await store.getEntryByName(owner, name);
        const found = liveNamed(
          e === undefined ? undefined : { entry: e, version: undefined },
          owner,
          name,
        );
        if (found === undefined) throw new VaultNotFoundError({ name });
        return {
          entry: entryInfo(found.entry),
          versions: await openAll(found.entry, owner, actor),
        };
      },
    };
  }

  return {
    forOwner,

    async reveal(id, revealOptions) {
      return text(await revealRaw(id, revealOptions, undefined));
    },

    async revealBytes(id, revealOptions) {
      return new Redacted(await revealRaw(id, revealOptions, undefined));
    },

    revealVersions: (id, revealOptions) => revealVersions(id, revealOptions, undefined),
  };
}
