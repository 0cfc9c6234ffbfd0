// Glue to @coffer/api-keys: the manager the `api-keys` commands drive, and the one place where
// --actor and --reason are handed on: every change passes them to the manager, whose store
// records them in the audit trail in the same transaction as the change.
import { hostname, userInfo } from 'node:os';
import {
  type ApiKeyAuditPage,
  type ApiKeyChangeOptions,
  type ApiKeyInfo,
  type ApiKeyListPage,
  type ApiKeyStore,
  createApiKeyManager,
  createBcryptHasher,
  type MintApiKeyInput,
  type MintedApiKey,
} from '@coffer/api-keys';
import type { Args, OptionSpecs } from './args.js';
import { usageError } from './cli-error.js';

/** Whether the manager records `--actor` and `--reason`: it does, in the store's audit trail. */
export const AUDIT_RECORDED = true;

/** The options of every command that changes an API key or a kill switch. */
export const AUDIT_OPTIONS: OptionSpecs = {
  actor: {
    type: 'string',
    value: 'who',
    description:
      'Who makes the change, for the audit trail (1-256 characters; default: your OS user @ host).',
  },
  reason: {
    type: 'string',
    value: 'text',
    description: 'Why, for the audit trail, e.g. a ticket number (1-1000 characters).',
  },
};

/** Who changes a key and why. */
export interface AuditNote {
  readonly actor: string;
  readonly reason: string | null;
}

// Control and format characters: terminal escapes, bidi overrides that make an audit line read
// differently than it is stored (U+202E), line and paragraph separators that split a log line,
// and lone surrogates (from an embedder's string) that no log stores faithfully.
const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

function checkText(value: string, option: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > max || CONTROL.test(trimmed)) {
    throw usageError(
      `--${option} must be 1-${max} characters without control or format characters (terminal escapes, bidi overrides, line separators).`,
      { option },
    );
  }
  return trimmed;
}

function defaultActor(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = `uid-${process.getuid?.() ?? 'unknown'}`;
  }
  return `${user}@${hostname()}`.slice(0, 256);
}

/**
 * `--actor` (default: the OS user at this host) and `--reason`, validated.
 *
 * @throws {CliError} `USAGE` (exit 2) for an empty, over-long or control-character value.
 */
export function auditNote(args: Args): AuditNote {
  const actor = args.string('actor');
  const reason = args.string('reason');
  return {
    actor: actor === undefined ? defaultActor() : checkText(actor, 'actor', 256),
    reason: reason === undefined ? null : checkText(reason, 'reason', 1000),
  };
}

/** The API-key operations the commands use; each change takes the audit note. */
export interface ApiKeyAdmin {
  mint(input: MintApiKeyInput, audit: AuditNote): Promise<MintedApiKey>;
  rotate(keyId: string, gracePeriodMs: number, audit: AuditNote): Promise<MintedApiKey>;
  revoke(keyId: string, audit: AuditNote): Promise<ApiKeyInfo>;
  kill(keyId: string, audit: AuditNote): Promise<ApiKeyInfo>;
  unkill(keyId: string, audit: AuditNote): Promise<ApiKeyInfo>;
  setOrganizationKillSwitch(
    organizationId: string,
    killed: boolean,
    audit: AuditNote,
  ): Promise<void>;
  setGlobalKillSwitch(killed: boolean, audit: AuditNote): Promise<void>;
  isKillSwitchOn(organizationId?: string): Promise<boolean>;
  get(keyId: string): Promise<ApiKeyInfo>;
  list(organizationId: string, after: string | undefined): Promise<ApiKeyListPage>;
  /** The audit trail, newest first: a key's, an organization's or everything. */
  audit(query: {
    keyId?: string;
    organizationId?: string;
    limit: number;
    after?: string;
  }): Promise<ApiKeyAuditPage>;
  /** The id of the audit entry the last change recorded; null when it changed nothing. */
  lastAuditId(): string | null;
  close(): Promise<void>;
}

function changeOptions(audit: AuditNote): ApiKeyChangeOptions {
  return audit.reason === null
    ? { actor: audit.actor }
    : { actor: audit.actor, reason: audit.reason };
}

/**
 * The admin over `store`. bcrypt runs inline (no worker threads): the CLI hashes one key per
 * command, at the default cost (12) that verifiers expect.
 */
export function openApiKeyAdmin(store: ApiKeyStore): ApiKeyAdmin {
  const hasher = createBcryptHasher({ threads: 0 });
  let last: string | null = null;
  // The CLI always has an actor (--actor, or the OS user at this host).
  const manager = createApiKeyManager({
    store,
    hasher,
    requireActor: true,
    onChange: (change) => {
      last = change.auditId;
    },
  });
  /** Runs one change, remembering the audit entry it recorded (none for a no-op). */
  const change = <T>(run: () => Promise<T>): Promise<T> => {
    last = null;
    return run();
  };
  return {
    mint: (input, audit) => change(() => manager.mint(input, changeOptions(audit))),
    rotate: (keyId, gracePeriodMs, audit) =>
      change(() => manager.rotate(keyId, { gracePeriodMs, ...changeOptions(audit) })),
    revoke: (keyId, audit) => change(() => manager.revoke(keyId, changeOptions(audit))),
    kill: (keyId, audit) => change(() => manager.kill(keyId, changeOptions(audit))),
    unkill: (keyId, audit) => change(() => manager.unkill(keyId, changeOptions(audit))),
    setOrganizationKillSwitch: (organizationId, killed, audit) =>
      change(() => manager.setOrganizationKillSwitch(organizationId, killed, changeOptions(audit))),
    setGlobalKillSwitch: (killed, audit) =>
      change(() => manager.setGlobalKillSwitch(killed, changeOptions(audit))),
    isKillSwitchOn: (organizationId) => manager.isKillSwitchOn(organizationId),
    get: (keyId) => manager.get(keyId),
    list: (organizationId, after) =>
      manager.list(organizationId, after === undefined ? { limit: 1000 } : { limit: 1000, after }),
    audit: (query) => manager.audit(query),
    lastAuditId: () => last,
    close: () => hasher.close(),
  };
}
