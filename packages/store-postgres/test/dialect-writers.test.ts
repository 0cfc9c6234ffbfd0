// Concurrent vault and API key writers on PostgreSQL (see store-kysely's test-support).
import { describeApiKeys, describeConcurrency } from '../../store-kysely/test-support/index.js';
import { postgresHarness } from './dialect-harness.js';

describeConcurrency(postgresHarness);
describeApiKeys(postgresHarness);
