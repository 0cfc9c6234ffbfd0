// Migrations (and migration 003's own cases), the shipped SQL files and query plans on
// SQLite (see store-kysely's test-support).
import {
  describeApiKeyTier,
  describeMigrations,
  describeQueryPlans,
  describeSqlFiles,
} from '../../store-kysely/test-support/index.js';
import { sqliteHarness } from './dialect-harness.js';

describeMigrations(sqliteHarness);
describeApiKeyTier(sqliteHarness);
describeSqlFiles(sqliteHarness);
describeQueryPlans(sqliteHarness);
