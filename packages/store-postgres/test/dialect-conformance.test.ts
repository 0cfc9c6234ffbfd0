// The published conformance suites on PostgreSQL (see store-kysely's test-support).
import { describeConformance } from '../../store-kysely/test-support/index.js';
import { postgresHarness } from './dialect-harness.js';

describeConformance(postgresHarness);
