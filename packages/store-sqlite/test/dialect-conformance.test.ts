// The published conformance suites on SQLite (see store-kysely's test-support).
import { describeConformance } from '../../store-kysely/test-support/index.js';
import { sqliteHarness } from './dialect-harness.js';

describeConformance(sqliteHarness);
