// The audit trail of key administration on SQLite (see store-kysely's test-support).
import { describeApiKeyAudit } from '../../store-kysely/test-support/index.js';
import { sqliteHarness } from './dialect-harness.js';

describeApiKeyAudit(sqliteHarness);
