// Migrations, the shipped SQL files and query plans on MySQL / MariaDB (see store-kysely's
// test-support).
import {
  describeMigrations,
  describeQueryPlans,
  describeSqlFiles,
} from '../../store-kysely/test-support/index.js';
import { mysqlHarness } from './dialect-harness.js';

describeMigrations(mysqlHarness);
describeSqlFiles(mysqlHarness);
describeQueryPlans(mysqlHarness);
