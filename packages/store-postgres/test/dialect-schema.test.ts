// Migrations, the shipped SQL files and query plans on PostgreSQL (see store-kysely's test-support).
import {
  describeMigrations,
  describeQueryPlans,
  describeSqlFiles,
} from '../../store-kysely/test-support/index.js';
import { postgresHarness } from './dialect-harness.js';

describeMigrations(postgresHarness);
describeSqlFiles(postgresHarness);
describeQueryPlans(postgresHarness);
