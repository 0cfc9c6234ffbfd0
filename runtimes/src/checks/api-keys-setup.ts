// A verifier over an in-memory store holding the records Node minted (shared by the API-key and
// Hono checks, and by the Worker's fetch handler).
import {
  type ApiKeyHasher,
  type ApiKeyVerifier,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
  type MemoryApiKeyStore,
} from '@coffer/api-keys';
import type { InteropFixture } from '../fixture.ts';

export interface NodeKeys {
  readonly store: MemoryApiKeyStore;
  readonly hasher: ApiKeyHasher;
  readonly verifier: ApiKeyVerifier;
}

/** Loads Node's records and the killed organization's switch into a fresh store. */
export async function verifierForNodeKeys(
  fixture: InteropFixture,
  cost: number = fixture.apiKeys.cost,
): Promise<NodeKeys> {
  const store = createMemoryApiKeyStore();
  for (const record of fixture.apiKeys.records) {
    if (!(await store.insertKey(record))) throw new Error(`record ${record.keyId} not inserted`);
  }
  await store.setKillSwitch(
    { scope: 'organization', organizationId: fixture.apiKeys.killedOrganizationId },
    true,
    Date.now(),
  );
  // The runtime's default thread count: worker threads where there are some, inline elsewhere.
  const hasher = createBcryptHasher({ cost });
  const verifier = createApiKeyVerifier({ store, hasher });
  return { store, hasher, verifier };
}
