// The API-key manager of one organization (a tenant): what a host hands to a customer's admin
// requests, so one missing check in a handler cannot reach another organization's keys.
import type { ApiKeyInfo } from './api-key-info.js';
import type { ApiKeyChangeOptions } from './audit-note.js';
import type {
  ApiKeyAuditPage,
  ApiKeyListPage,
  MintApiKeyInput,
  MintedApiKey,
  UpdateApiKeyInput,
  UpdateApiKeyOptions,
} from './manager.js';

/**
 * One organization's API keys, from `manager.forOrganization(organizationId)`. Every call by key
 * id passes the organization to the store, whose query matches only that organization's key: a
 * key of another organization is answered exactly as a missing key (`404 NOT_FOUND`, the same
 * message, the same number of store round trips), so existence does not leak. Lists and the audit
 * trail hold only the organization's own keys and entries.
 *
 * @example
 * ```ts
 * import { createApiKeyManager, createBcryptHasher, createMemoryApiKeyStore } from '@coffer/api-keys';
 *
 * const hasher = createBcryptHasher({ cost: 4 }); // tests only
 * const manager = createApiKeyManager({ store: createMemoryApiKeyStore(), hasher, requireActor: true });
 * const acme = manager.forOrganization('org_acme');
 * const globex = manager.forOrganization('org_globex');
 * const minted = await acme.mint({ env: 'live', name: 'billing sync' }, { actor: 'user:7' });
 * await globex.kill(minted.keyId, { actor: 'user:9' }).catch((e) => e.code); // 'NOT_FOUND'
 * (await acme.get(minted.keyId)).status; // 'active'
 * await hasher.close();
 * ```
 */
export interface OrganizationApiKeyManager {
  /** The organization this manager is bound to. */
  readonly organizationId: string;
  /**
   * Mints a key of this organization (any `organizationId` in the input is ignored).
   * @throws {InvalidInputError} `INVALID_INPUT` as `ApiKeyManager.mint`.
   */
  mint(
    input: Omit<MintApiKeyInput, 'organizationId'>,
    options?: ApiKeyChangeOptions,
  ): Promise<MintedApiKey>;
  /**
   * As `ApiKeyManager.rotate`, for this organization's keys only.
   * @throws {ApiKeyNotFoundError} `NOT_FOUND` also for another organization's key.
   * @throws {ApiKeyRevokedError} `KEY_REVOKED`. @throws {InvalidInputError} `INVALID_INPUT`.
   * @throws {ApiKeyConflictError} `API_KEY_CONFLICT`.
   */
  rotate(
    keyId: string,
    options?: { gracePeriodMs?: number } & ApiKeyChangeOptions,
  ): Promise<MintedApiKey>;
  /**
   * As `ApiKeyManager.revoke`, for this organization's keys only.
   * @throws {ApiKeyNotFoundError} `NOT_FOUND` also for another organization's key.
   * @throws {InvalidInputError} `INVALID_INPUT`. @throws {ApiKeyConflictError} `API_KEY_CONFLICT`.
   */
  revoke(keyId: string, options?: ApiKeyChangeOptions): Promise<ApiKeyInfo>;
  /**
   * As `ApiKeyManager.kill`, for this organization's keys only.
   * @throws {ApiKeyNotFoundError} `NOT_FOUND` also for another organization's key.
   * @throws {ApiKeyRevokedError} `KEY_REVOKED`. @throws {InvalidInputError} `INVALID_INPUT`.
   */
  kill(keyId: string, options?: ApiKeyChangeOptions): Promise<ApiKeyInfo>;
  /**
   * As `ApiKeyManager.unkill`, for this organization's keys only.
   * @throws {ApiKeyNotFoundError} `NOT_FOUND` also for another organization's key.
   * @throws {ApiKeyRevokedError} `KEY_REVOKED`. @throws {InvalidInputError} `INVALID_INPUT`.
   */
  unkill(keyId: string, options?: ApiKeyChangeOptions): Promise<ApiKeyInfo>;
  /**
   * As `ApiKeyManager.update`, for this organization's keys only.
   * @throws {ApiKeyNotFoundError} `NOT_FOUND` also for another organization's key.
   * @throws {ApiKeyRevokedError} `KEY_REVOKED`. @throws {InvalidInputError} `INVALID_INPUT`.
   * @throws {ApiKeyConflictError} `API_KEY_CONFLICT`.
   */
  update(
    keyId: string,
    changes: UpdateApiKeyInput,
    options?: UpdateApiKeyOptions,
  ): Promise<ApiKeyInfo>;
  /**
   * One of this organization's keys.
   * @throws {ApiKeyNotFoundError} `NOT_FOUND` also for another organization's key.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed key id.
   */
  get(keyId: string): Promise<ApiKeyInfo>;
  /**
   * This organization's keys in `keyId` order.
   * @throws {InvalidInputError} `INVALID_INPUT` for a bad `limit` or `after`.
   */
  list(options?: { limit?: number; after?: string }): Promise<ApiKeyListPage>;
  /**
   * This organization's audit trail, newest first, or one of its keys' (another organization's
   * key has none, as a missing key).
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed key id, `limit` or `after`.
   */
  audit(options?: { keyId?: string; limit?: number; after?: string }): Promise<ApiKeyAuditPage>;
  /**
   * Turns this organization's kill switch on or off (every key of it).
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed actor, reason or request id.
   */
  setKillSwitch(killed: boolean, options?: ApiKeyChangeOptions): Promise<void>;
  /** Whether this organization's kill switch is on. */
  isKillSwitchOn(): Promise<boolean>;
}
