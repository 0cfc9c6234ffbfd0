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
      insertKey: (record) => inner.insertKey(record),
      getKey: (keyId) => {
        reads++;
        return inner.getKey(keyId);
      },
      updateKey: (keyId, expectedRevision, changes) =>
        inner.updateKey(keyId, expectedRevision, changes),
      touchKey: (keyId, at) => inner.touchKey(keyId, at),
      listKeys: (query) => inner.listKeys(query),
      getKillSwitch: (target) => {
        reads++;
        return inner.getKillSwitch(target);
      },
      setKillSwitch: (target, killed, at) => inner.setKillSwitch(target, killed, at),
    },
    reads: () => reads,
  };
}
