// An interrupted and resumed rewrap of 10,000 rows on a SQLite WAL file (see store-kysely's
// test-support).
import { describeRewrap } from '../../store-kysely/test-support/index.js';
import { sqliteHarness } from './dialect-harness.js';

describeRewrap(sqliteHarness);
