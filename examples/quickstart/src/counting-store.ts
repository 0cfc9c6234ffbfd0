// An ApiKeyStore wrapper that counts lookups, so the demo can show (not just claim) that a key with
// a bad checksum is refused before any database read.
import type { ApiKeyStore } from '@coffer/api-keys';

export interface CountingStore {
  readonly store: ApiKeyStore;
  /** Key and kill-switch lookups so far. */
  reads(): number;
}

export function countReads(inner: ApiKeyStore): CountingStore {
  let reads = 0;
  return {
    store: {
      // A wrapper forwards every argument: the write options carry the audit entry.
      insertKey: (record, options) => inner.insertKey(record, options),
      getKey: (keyId, organizationId) => {
        reads++;
        return inner.getKey(keyId, organizationId);
      },
      updateKey: (keyId, expectedRevision, changes, options) =>
        inner.updateKey(keyId, expectedRevision, changes, options),
      touchKey: (keyId, at) => inner.touchKey(keyId, at),
      listKeys: (query) => inner.listKeys(query),
      getKillSwitch: (target) => {
        reads++;
        return inner.getKillSwitch(target);
      },
      setKillSwitch: (target, killed, at, options) =>
        inner.setKillSwitch(target, killed, at, options),
      listAudit: (query) => inner.listAudit(query),
    },
    reads: () => reads,
  };
}
