// `pnpm start`. The entry point is a file of its own: importing main() (as the tests do) never runs
// the example, and running it never depends on comparing import.meta.url with process.argv[1],
// which silently fails for checkout paths with a space, an accent or a `%`, and for symlinks.
import { isCofferError } from '@coffer/core';
import { main } from './main.ts';

try {
  for (const line of await main()) console.log(line);
} catch (error) {
  // No stack trace: the code and message say what went wrong.
  const what = isCofferError(error)
    ? `${error.code}: ${error.message}`
    : error instanceof Error
      ? error.message
      : String(error);
  console.error(`byok-proxy example failed — ${what}`);
  process.exitCode = 1;
}
