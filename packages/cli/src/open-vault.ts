// Glue to @coffer/vault and @coffer/envelope: the vault the CLI drives (verifyKeys, rewrapAll),
// made from a store and a keyring. The CLI never reveals a value, so it makes no reader.
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
  /** Lets the event loop run between batches (Ctrl-C and progress redraws), also on SQLite. */
  rewrapAll(options: RewrapOptions): Promise<RewrapResult>;
}

/** The vault over `store`, with `keyring` as its local key provider. */
export function openVault(store: VaultStore, keyring: Keyring): VaultOps {
  const provider = createLocalKeyProvider(keyring);
  const vault = createVault({ store, envelope: createEnvelope({ provider }), provider });
  return {
    verifyKeys: () => vault.verifyKeys(),
    rewrapAll: (options) => vault.rewrapAll(options),
  };
}
