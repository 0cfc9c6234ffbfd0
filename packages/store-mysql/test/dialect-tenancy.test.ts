// Owner conditions, named entries (and migration 004) and check-and-set updates on MySQL / MariaDB (see
// store-kysely's test-support).
import {
  describeEntryUpdates,
  describeNamedEntries,
  describeOwnerScoping,
} from '../../store-kysely/test-support/index.js';
import { mysqlHarness } from './dialect-harness.js';

describeOwnerScoping(mysqlHarness);
describeNamedEntries(mysqlHarness);
describeEntryUpdates(mysqlHarness);
