export {
  type ConformanceRunner,
  runVaultStoreConformance,
  type VaultStoreFactory,
  type VaultStoreFixture,
} from './vault-store-conformance.js';
