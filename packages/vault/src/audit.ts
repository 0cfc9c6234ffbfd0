/**
 * What an audit event records.
 *
 * @example
 * ```ts
 * import type { VaultAuditAction } from '@coffer/vault';
 *
 * const reads: VaultAuditAction[] = ['reveal'];
 * ```
 */
export type VaultAuditAction =
  | 'put'
  | 'rotate'
  | 'update'
  | 'reveal'
  | 'delete'
  | 'restore'
  | 'destroy'
  | 'purge';

/**
 * One audit record. Never holds a value, a preview or key material: only who did what to which
 * entry, when.
 *
 * @example
 * ```ts
 * import type { VaultAuditEvent } from '@coffer/vault';
 *
 * const event: VaultAuditEvent = {
 *   action: 'reveal',
 *   id: '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3',
 *   owner: 'org_42',
 *   kind: 'meta-capi-token',
 *   version: 3,
 *   actor: 'capi-relay',
 *   purpose: 'send conversion batch',
 *   at: new Date(),
 * };
 * ```
 */
export interface VaultAuditEvent {
  /** The action. `purge` is a destroy done by `purgeExpired`; `update` sets label, metadata or status. */
  action: VaultAuditAction;
  /** The vault id. */
  id: string;
  /** The entry's owner. */
  owner: string;
  /** The entry's kind. */
  kind: string;
  /** The entry's name, when it has one. */
  name?: string;
  /** The version acted on (the new version for `put`/`rotate`, the revealed one for `reveal`). */
  version: number;
  /** `update` only: the entry's new revision. */
  revision?: number;
  /** `update` only: which fields the update set (never their values). */
  fields?: ('label' | 'metadata' | 'status')[];
  /** Who acted (reveals; writes when the caller passes it). */
  actor?: string;
  /** Why (reveals). */
  purpose?: string;
  /** When, from the vault's clock. */
  at: Date;
}

/**
 * Where audit events go: a logger, a table, a queue. `emit` may be sync or async; a throw or
 * rejection counts as a failure (see `AUDIT_FAILED`).
 *
 * @example
 * ```ts
 * import type { VaultAuditSink } from '@coffer/vault';
 *
 * const sink: VaultAuditSink = { emit: (event) => console.log(JSON.stringify(event)) };
 * ```
 */
export interface VaultAuditSink {
  /** Records one event. */
  emit(event: VaultAuditEvent): void | Promise<void>;
}

/** Calls the sink; returns whether it succeeded (internal). */
export async function emitAudit(
  sink: VaultAuditSink | undefined,
  event: VaultAuditEvent,
): Promise<boolean> {
  if (sink === undefined) return true;
  try {
    await sink.emit(event);
    return true;
  } catch {
    return false;
  }
}
