// Owner conditions, named entries (and migration 004) and check-and-set updates on PostgreSQL (see
// store-kysely's test-support).
import {
  describeEntryUpdates,
  describeNamedEntries,
  describeOwnerScoping,
} from '../../store-kysely/test-support/index.js';
import { postgresHarness } from './dialect-harness.js';

describeOwnerScoping(postgresHarness);
describeNamedEntries(postgresHarness);
describeEntryUpdates(postgresHarness);
