// Owner conditions, named entries (and migration 004) and check-and-set updates on SQLite (see
// store-kysely's test-support).
import {
  describeEntryUpdates,
  describeNamedEntries,
  describeOwnerScoping,
} from '../../store-kysely/test-support/index.js';
import { sqliteHarness } from './dialect-harness.js';

describeOwnerScoping(sqliteHarness);
describeNamedEntries(sqliteHarness);
describeEntryUpdates(sqliteHarness);
