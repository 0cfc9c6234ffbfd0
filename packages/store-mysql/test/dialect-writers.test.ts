// Concurrent vault and API key writers on MySQL / MariaDB (see store-kysely's test-support).
import { describeApiKeys, describeConcurrency } from '../../store-kysely/test-support/index.js';
import { mysqlHarness } from './dialect-harness.js';

describeConcurrency(mysqlHarness);
describeApiKeys(mysqlHarness);
