// Migrations, the shipped SQL files and query plans on SQLite (see store-kysely's test-support).
import {
  describeMigrations,
  describeQueryPlans,
  describeSqlFiles,
} from '../../store-kysely/test-support/index.js';
import { sqliteHarness } from './dialect-harness.js';

describeMigrations(sqliteHarness);
describeSqlFiles(sqliteHarness);
describeQueryPlans(sqliteHarness);
