// The interface between coffer's secret clients and wherever values live. A source reads; a
// writable source also stores new versions. Sources see only a SecretRef (ownership fields and the
// physical name), never the app's other declarations.
import type { Redacted } from '@coffer/core';
import type { SecretRotationPolicy } from './rotation-policy.js';

/** How a declaration gets its value. */
export type SecretMode = 'static' | 'random' | 'generated';

/** The ownership fields every secret of one definition shares. */
export interface SecretOwner {
  readonly workspace: string;
  readonly project: string;
  readonly environment: string;
}

/**
 * What a source is told about a secret: who owns it, its names, and its mode. `physicalName` is the
 * stored identity (docs/app-secrets.md, "Physical names"); `name` and `namespace` are for messages
 * and for sources whose naming rule is readable (the local environment-variable source).
 */
export interface SecretRef {
  readonly owner: SecretOwner;
  readonly namespace: string;
  readonly name: string;
  readonly physicalName: string;
  readonly mode: SecretMode;
  /** The declared schedule; sources that keep versions answer `accepted` by its retention. */
  readonly rotation: SecretRotationPolicy;
}

/** One stored version of a secret, as a source returns it. Values are always text at this level. */
export interface StoredSecretVersion {
  /** Positive integer; higher is newer. */
  readonly version: number;
  /** The stored text (random secrets: their encoding; bytes secrets: base64url). */
  readonly value: Redacted<string>;
  /** When the version was stored (ms since the epoch), when the source knows. */
  readonly createdAt?: number;
  /** Non-secret facts recorded with the version (a generated secret's webhook id, …). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * A consistent view of a secret: the version to use now, and every version still accepted for
 * verification (the current one included, newest first). Returned by one read, so a rotation
 * between two reads can never pair a new `current` with an old `accepted` list.
 */
export interface StoredSecretSnapshot {
  readonly current: StoredSecretVersion;
  readonly accepted: readonly StoredSecretVersion[];
}

/**
 * A place secret values are read from: the local environment (development), a Cloudflare Secrets
 * Store binding, memory (tests), the vault. Implementations must not log or echo values; a thrown
 * error is replaced by `SECRET_SOURCE_FAILED` without its message.
 *
 * @example
 * ```ts
 * import { redact } from '@coffer/core';
 * import type { SecretSource } from '@coffer/secrets';
 *
 * // A source over a fixed map, keyed by physical name (a test double; use the built-in ones).
 * const values = new Map<string, string>();
 * const source: SecretSource = {
 *   kind: 'fixed-map',
 *   async read(ref) {
 *     const text = values.get(ref.physicalName);
 *     if (text === undefined) return undefined;
 *     const current = { version: 1, value: redact(text) };
 *     return { current, accepted: [current] };
 *   },
 *   async readVersion(ref, version) {
 *     const text = values.get(ref.physicalName);
 *     return text === undefined || version !== 1 ? undefined : { version: 1, value: redact(text) };
 *   },
 * };
 * source.kind; // 'fixed-map'
 * ```
 */
export interface SecretSource {
  /** A short name for messages (`memory`, `local-env`, `cloudflare-secrets-store`, `vault`). */
  readonly kind: string;
  /** The current version and the accepted ones, or `undefined` when no value is set. */
  read(ref: SecretRef): Promise<StoredSecretSnapshot | undefined>;
  /** One version (accepted or merely retained), or `undefined` when it does not exist. */
  readVersion(ref: SecretRef, version: number): Promise<StoredSecretVersion | undefined>;
  /** Where this source looks for `ref` (a variable or binding name), for error messages. */
  locate?(ref: SecretRef): string;
}

/** What a writable source is asked to store. */
export interface SecretWrite {
  readonly value: Redacted<string>;
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * Check-and-set: the version that must be current for the write to happen (`null`: no value may
   * exist yet). Several instances rotating at once: exactly one write wins.
   */
  readonly expectedCurrent: number | null;
}

/** The outcome of a {@link SecretWrite}: the new version, or the version that was current instead. */
export type SecretWriteResult =
  | { readonly written: true; readonly version: StoredSecretVersion }
  | { readonly written: false; readonly current: number | null };

/**
 * A source that can also store a new version (`set` for static secrets, `rotate` for random and
 * generated ones). The vault-backed source and the in-memory one are writable; the local
 * environment and Cloudflare bindings are not (their values are written by the operator's tools).
 */
export interface WritableSecretSource extends SecretSource {
  /** Stores `write.value` as the next version if `write.expectedCurrent` still holds. */
  write(ref: SecretRef, write: SecretWrite): Promise<SecretWriteResult>;
}

/**
 * Where a rotation stands, kept next to the value (the vault source stores it in the entry's
 * clear-text metadata; `status` is `rotating` while one is in progress).
 */
export interface SecretRotationState {
  /** When the current version was stored (ms since the epoch), or `null` before the first value. */
  readonly lastRotatedAt: number | null;
  /** When the next rotation is due by the declared interval, or `null` when none is declared. */
  readonly nextDueAt: number | null;
  /**
   * A rotation under way: the version it replaces, when it started, until when its owner holds it
   * (`leaseUntil`; after that another run takes it over), who holds it (a random claim id), and the
   * metadata a generator returned before the value was stored.
   */
  readonly inProgress: {
    readonly fromVersion: number;
    readonly startedAt: number;
    readonly leaseUntil: number;
    readonly claim: string;
    readonly pendingMetadata: Readonly<Record<string, string>> | null;
  } | null;
  /** The last failed rotation: its error code and when (cleared by the next success). */
  readonly lastError: { readonly code: string; readonly at: number } | null;
}

/** What a stateful source answers for a secret: its current version, state and revision. */
export interface SecretStateRecord {
  /** The current version. */
  readonly version: number;
  /** Changes with every state or value write; the check-and-set token of {@link StatefulSecretSource.writeState}. */
  readonly revision: number;
  readonly state: SecretRotationState;
}

/**
 * A writable source that also keeps rotation state next to the value, changed by check-and-set;
 * `rotateDue()` and `status()` need one. The vault source is one.
 */
export interface StatefulSecretSource extends WritableSecretSource {
  /** The current version, state and revision, or `undefined` when no value is set. */
  readState(ref: SecretRef): Promise<SecretStateRecord | undefined>;
  /**
   * Replaces the state if the secret is still at `expected.revision` and `expected.version`;
   * `recordVersion` also records a version's non-secret metadata when it is not recorded yet.
   * Answers the new revision, or `undefined` when the check failed and nothing was written.
   */
  writeState(
    ref: SecretRef,
    state: SecretRotationState,
    expected: { readonly revision: number; readonly version: number },
    recordVersion?: {
      readonly version: number;
      readonly metadata: Readonly<Record<string, string>>;
    },
  ): Promise<number | undefined>;
}
