// The test suite every coffer SQL store runs, parameterised by dialect: a store package implements
// `DialectHarness` (its own connection setup) and calls every `describe*` part from its test files
// (several files, so vitest runs them in parallel). A new dialect passes all of them.
// `dialect-suite-coverage.test.ts` in store-kysely checks that each store calls every part.

export { describeApiKeyAudit } from './api-key-audit-part.js';
export { describeApiKeys } from './api-key-part.js';
export { apiKeyRecord, keyIdOf, T0 } from './api-key-record.js';
export { describeApiKeyTier } from './api-key-tier-part.js';
export { describeConcurrency } from './concurrency-part.js';
export { describeConformance } from './conformance-part.js';
export type {
  ConformanceStore,
  DatabaseCopy,
  DialectHarness,
  DialectStorage,
  OpenOptions,
  PlanStep,
  TestDatabase,
} from './dialect-harness.js';
export { describeEdgeValues } from './edge-values-part.js';
export { COFFER_MIGRATIONS, describeMigrations } from './migrations-part.js';
export { describeNamedEntries } from './names-part.js';
export { describeNoPlaintext } from './no-plaintext-part.js';
export { describeOwnKysely } from './own-kysely-part.js';
export { describeOwnerScoping } from './owner-scope-part.js';
export { describeQueryPlans } from './query-plans-part.js';
export { describeRewrap } from './rewrap-part.js';
export { describeSqlFiles } from './sql-files-part.js';
export { describeEntryUpdates } from './updates-part.js';

/** Every part of the suite, by the name of the function that registers it. */
export const DIALECT_SUITE_PARTS: readonly string[] = [
  'describeApiKeyAudit',
  'describeApiKeys',
  'describeApiKeyTier',
  'describeConcurrency',
  'describeConformance',
  'describeEdgeValues',
  'describeEntryUpdates',
  'describeMigrations',
  'describeNamedEntries',
  'describeNoPlaintext',
  'describeOwnerScoping',
  'describeOwnKysely',
  'describeQueryPlans',
  'describeRewrap',
  'describeSqlFiles',
];
