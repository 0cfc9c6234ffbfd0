// The published conformance suites on MySQL / MariaDB (see store-kysely's test-support).
import { describeConformance } from '../../store-kysely/test-support/index.js';
import { mysqlHarness } from './dialect-harness.js';

describeConformance(mysqlHarness);
