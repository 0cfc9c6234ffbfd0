// Edge values, no plaintext in the files, and the host's own Kysely on SQLite (see store-kysely's
// test-support).
import {
  describeEdgeValues,
  describeNoPlaintext,
  describeOwnKysely,
} from '../../store-kysely/test-support/index.js';
import { sqliteHarness } from './dialect-harness.js';

describeEdgeValues(sqliteHarness);
describeNoPlaintext(sqliteHarness);
describeOwnKysely(sqliteHarness);
