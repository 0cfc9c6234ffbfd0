export {
  type ApiKeyStoreFactory,
  type ApiKeyStoreFixture,
  type ConformanceRunner,
  runApiKeyStoreConformance,
} from './api-key-store-conformance.js';
