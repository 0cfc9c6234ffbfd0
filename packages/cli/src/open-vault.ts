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
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'scanForRewrap') {
        return async (...args: Parameters<VaultStore['scanForRewrap']>) => {
          await nextTurn();
          return target.scanForRewrap(...args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
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
