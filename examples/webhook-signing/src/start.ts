// `pnpm start`: prints the narrated run. A failure prints its code and message, no stack trace.
import { isCofferError } from '@coffer/core';
import { main } from './main.ts';

try {
  for (const line of await main()) console.log(line);
} catch (error) {
  const what = isCofferError(error)
    ? `${error.code}: ${error.message}`
    : error instanceof Error
      ? error.message
      : String(error);
  console.error(`webhook-signing example failed — ${what}`);
  process.exitCode = 1;
}
