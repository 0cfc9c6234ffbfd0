import { InvalidInputError, Redacted, utf8Decode } from '@coffer/core';
import type { Envelope } from '@coffer/envelope';
import { emitAudit, type VaultAuditSink } from './audit.js';
import { entryWithVersionReader } from './entry-with-version.js';
import { AuditFailedError, VaultEntryDeletedError, VaultNotFoundError } from './errors.js';
import { sealContext } from './seal-context.js';
import {
  checkAuditSink,
  checkId,
  checkObject,
  checkOptionalFunction,
  checkText,
  checkVersion,
} from './validate.js';
import type { VaultEntryRecord, VaultStore, VaultVersionRecord } from './vault-store.js';

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
 * The privileged face of the vault, for workers that must use a value (sign a call, send a
 * token). Created separately from the vault so handlers never hold it. Every reveal is audited.
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

  function who(o: unknown): { actor: string; purpose: string } {
    const r = checkObject(o, 'options');
    return {
      actor: checkText(r.actor, 'actor', 256),
      purpose: checkText(r.purpose, 'purpose', 256),
    };
  }

  async function openRow(
    e: VaultEntryRecord,
    row: VaultVersionRecord,
    actor: { actor: string; purpose: string },
  ): Promise<Uint8Array> {
    const plain = await envelope.open(row.sealed, { context: sealContext(e, row.version) });
    const ok = await emitAudit(audit, {
      action: 'reveal',
      id: e.id,
      owner: e.owner,
      kind: e.kind,
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

  async function revealRaw(givenId: unknown, o: unknown): Promise<Uint8Array> {
    const id = checkId(givenId);
    const actor = who(o);
    const requested =
      (o as { version?: unknown }).version === undefined
        ? undefined
        : checkVersion((o as { version?: unknown }).version, 'version');
    const found = await readEntryWithVersion(id, requested);
    if (found === undefined) throw new VaultNotFoundError(id);
    if (found.entry.deletedAt !== null) throw new VaultEntryDeletedError(id);
    if (found.version === undefined) {
      throw new VaultNotFoundError(id, requested ?? found.entry.version);
    }
    return await openRow(found.entry, found.version, actor);
  }

  return {
    async reveal(id, revealOptions) {
      const plain = await revealRaw(id, revealOptions);
      try {
        return new Redacted(utf8Decode(plain));
      } finally {
        plain.fill(0);
      }
    },

    async revealBytes(id, revealOptions) {
      return new Redacted(await revealRaw(id, revealOptions));
    },

    async revealVersions(id, revealOptions) {
      checkId(id);
      const actor = who(revealOptions);
      const e = await store.getEntry(id);
      if (e === undefined) throw new VaultNotFoundError(id);
      if (e.deletedAt !== null) throw new VaultEntryDeletedError(id);
      const rows = (await store.listVersions(id)).sort((a, b) => b.version - a.version);
      const out: RevealedVersion[] = [];
      for (const row of rows) {
        const plain = await openRow(e, row, actor);
        try {
          out.push({ version: row.version, value: new Redacted(utf8Decode(plain)) });
        } finally {
          plain.fill(0);
        }
      }
      return out;
    },
  };
}
