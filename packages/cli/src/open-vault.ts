// Glue to @coffer/vault and @coffer/envelope: the vault the CLI drives (verifyKeys, rewrapAll),
// made from a store and a keyring. The CLI never reveals a value, so it makes no reader.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createEnvelope, createLocalKeyProvider, type Keyring } from '@coffer/envelope';
import {
  createVault,
  type RewrapOptions,
  type RewrapResult,
  type VaultStore,
  type VerifyKeysResult,
} from '@coffer/vault';

/** The vault operations the commands use. */
export interface VaultOps {
  /** Throws a typed error naming the KEK ids that do not open stored values. */
  verifyKeys(): Promise<VerifyKeysResult>;
  rewrapAll(options: RewrapOptions): Promise<RewrapResult>;
}

/**
 * `store`, except that each rewrap scan (one per batch) first lets the event loop run. On SQLite
 * every query completes synchronously, so without this a whole rewrap runs in one turn of the
 * event loop: no signal handler (Ctrl-C), timer or progress redraw would run until it ended.
 */
function yieldingPerBatch(store: VaultStore): VaultStore {
  const scanForRewrap = async (...args: Parameters<VaultStore['scanForRewrap']>) => {
    await nextTurn();
    return store.scanForRewrap(...args);
  };
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property) {
      if (property === 'scanForRewrap') return scanForRewrap;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      let method = bound.get(property);
      if (method === undefined) {
        method = value.bind(target);
        bound.set(property, method);
      }
      return method;
    },
  });
}

/** The vault over `store`, with `keyring` as its local key provider. */
export function openVault(store: VaultStore, keyring: Keyring): VaultOps {
  const provider = createLocalKeyProvider(keyring);
  const vault = createVault({
    store: yieldingPerBatch(store),
    envelope: createEnvelope({ provider }),
    provider,
  });
  return {
    verifyKeys: () => vault.verifyKeys(),
    rewrapAll: (options) => vault.rewrapAll(options),
  };
}
