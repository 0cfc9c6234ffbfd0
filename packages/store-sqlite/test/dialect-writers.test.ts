// Concurrent vault and API key writers on separate handles to one SQLite WAL file (see
// store-kysely's test-support).
import { describeApiKeys, describeConcurrency } from '../../store-kysely/test-support/index.js';
import { sqliteHarness } from './dialect-harness.js';

describeConcurrency(sqliteHarness);
describeApiKeys(sqliteHarness);
