// The audit trail of key administration on MySQL / MariaDB (see store-kysely's test-support).
import { describeApiKeyAudit } from '../../store-kysely/test-support/index.js';
import { mysqlHarness } from './dialect-harness.js';

describeApiKeyAudit(mysqlHarness);
