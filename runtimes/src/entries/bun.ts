// Bun resolving the packages itself (the `bun` and `node` conditions): the shared checks, then what
// only Bun runs here (its own SQLite under the SQLite store, the Express example).
import { sharedGroups } from '../checks/index.ts';
import { bunExtras } from '../extras/bun-extras.ts';
import { runCli } from './cli-io.ts';

await runCli([...sharedGroups, ...bunExtras]);
