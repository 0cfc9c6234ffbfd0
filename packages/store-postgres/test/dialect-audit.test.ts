// The audit trail of key administration on PostgreSQL (see store-kysely's test-support).
import { describeApiKeyAudit } from '../../store-kysely/test-support/index.js';
import { postgresHarness } from './dialect-harness.js';

describeApiKeyAudit(postgresHarness);
