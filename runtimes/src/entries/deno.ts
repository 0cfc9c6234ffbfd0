// Deno resolving the packages itself (the `deno` and `node` conditions): the shared checks, then what
// only Deno runs here (node:sqlite under the SQLite store, the Express example).
import { sharedGroups } from '../checks/index.ts';
import { denoExtras } from '../extras/deno-extras.ts';
import { runCli } from './cli-io.ts';

await runCli([...sharedGroups, ...denoExtras]);
