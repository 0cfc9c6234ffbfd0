// Migrations (and migration 003's own cases), the shipped SQL files and query plans on
// MySQL / MariaDB (see store-kysely's test-support).
import {
  describeApiKeyTier,
  describeMigrations,
  describeQueryPlans,
  describeSqlFiles,
} from '../../store-kysely/test-support/index.js';
import { mysqlHarness } from './dialect-harness.js';

describeMigrations(mysqlHarness);
describeApiKeyTier(mysqlHarness);
describeSqlFiles(mysqlHarness);
describeQueryPlans(mysqlHarness);
