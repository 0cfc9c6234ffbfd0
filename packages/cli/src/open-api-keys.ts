// Glue to @coffer/api-keys: the manager the `api-keys` commands drive, and the one place where
// --actor and --reason are handed on. The manager takes no audit information yet (issue 17 adds
// an audit trail for key administration): when it does, pass `audit` in the calls below and set
// AUDIT_RECORDED to true. Nothing else in the CLI changes.
import { hostname, userInfo } from 'node:os';
import {
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

/** Whether the manager records `--actor` and `--reason` (false until the audit trail exists). */
export const AUDIT_RECORDED = false;

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
  close(): Promise<void>;
}

/**
 * The admin over `store`. bcrypt runs inline (no worker threads): the CLI hashes one key per
 * command, at the default cost (12) that verifiers expect.
 */
export function openApiKeyAdmin(store: ApiKeyStore): ApiKeyAdmin {
  const hasher = createBcryptHasher({ threads: 0 });
  const manager = createApiKeyManager({ store, hasher });
  // `_audit` is accepted everywhere and used nowhere yet: see the comment at the top.
  return {
    mint: (input, _audit) => manager.mint(input),
    rotate: (keyId, gracePeriodMs, _audit) => manager.rotate(keyId, { gracePeriodMs }),
    revoke: (keyId, _audit) => manager.revoke(keyId),
    kill: (keyId, _audit) => manager.kill(keyId),
    unkill: (keyId, _audit) => manager.unkill(keyId),
    setOrganizationKillSwitch: (organizationId, killed, _audit) =>
      manager.setOrganizationKillSwitch(organizationId, killed),
    setGlobalKillSwitch: (killed, _audit) => manager.setGlobalKillSwitch(killed),
    isKillSwitchOn: (organizationId) => manager.isKillSwitchOn(organizationId),
    get: (keyId) => manager.get(keyId),
    list: (organizationId, after) =>
      manager.list(organizationId, after === undefined ? { limit: 1000 } : { limit: 1000, after }),
    close: () => hasher.close(),
  };
}
