// Edge values, no plaintext in a copy, and the host's own Kysely on MySQL / MariaDB (see
// store-kysely's test-support).
import {
  describeEdgeValues,
  describeNoPlaintext,
  describeOwnKysely,
} from '../../store-kysely/test-support/index.js';
import { mysqlHarness } from './dialect-harness.js';

describeEdgeValues(mysqlHarness);
describeNoPlaintext(mysqlHarness);
describeOwnKysely(mysqlHarness);
