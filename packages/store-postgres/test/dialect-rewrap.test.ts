// An interrupted and resumed rewrap of 10,000 rows on PostgreSQL (see store-kysely's test-support).
import { describeRewrap } from '../../store-kysely/test-support/index.js';
import { postgresHarness } from './dialect-harness.js';

describeRewrap(postgresHarness);
