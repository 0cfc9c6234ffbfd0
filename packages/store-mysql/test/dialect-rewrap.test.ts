// An interrupted and resumed rewrap on MySQL / MariaDB (see store-kysely's test-support).
import { describeRewrap } from '../../store-kysely/test-support/index.js';
import { mysqlHarness } from './dialect-harness.js';

describeRewrap(mysqlHarness);
