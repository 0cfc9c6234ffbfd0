// Bun or Deno running the shared checks from a browser-conditions bundle (the build a Worker gets):
// @coffer/core's noble backend, no worker threads.
import { sharedGroups } from '../checks/index.ts';
import { runCli } from './cli-io.ts';

await runCli(sharedGroups);
