// Migrations (and migration 003's own cases), the shipped SQL files and query plans on
// PostgreSQL (see store-kysely's test-support).
import {
  describeApiKeyTier,
  describeMigrations,
  describeQueryPlans,
  describeSqlFiles,
} from '../../store-kysely/test-support/index.js';
import { postgresHarness } from './dialect-harness.js';

describeMigrations(postgresHarness);
describeApiKeyTier(postgresHarness);
describeSqlFiles(postgresHarness);
describeQueryPlans(postgresHarness);
