// Edge values, no plaintext in a copy, and the host's own Kysely on PostgreSQL (see store-kysely's
// test-support).
import {
  describeEdgeValues,
  describeNoPlaintext,
  describeOwnKysely,
} from '../../store-kysely/test-support/index.js';
import { postgresHarness } from './dialect-harness.js';

describeEdgeValues(postgresHarness);
describeNoPlaintext(postgresHarness);
describeOwnKysely(postgresHarness);
