// The process around `run`: argv, the exit code, and signals. A long command (rewrap, pii hash)
// gets SIGINT and SIGTERM as a clean stop request, and a second one ends the process at once;
// for every other command Node's default applies (the process ends at once: their writes are
// single atomic statements).
import { EXIT_CODES } from './exit-codes.js';
import { resolveCommand } from './resolve-command.js';
import { run } from './run.js';

/** Runs `coffer` with the process's argv and exits with the command's code. */
export async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const words = argv[0] === 'help' ? argv.slice(1) : argv;
  const interruptible = resolveCommand(words)?.spec.interruptible === true;
  const stop = new AbortController();
  if (interruptible) {
    const onSignal = (): void => {
      if (stop.signal.aborted) process.exit(EXIT_CODES.interrupted);
      stop.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  // A closed pipe (`coffer pii hash … | head`) ends the output; stop rather than crash.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: { code?: unknown }) => {
      process.exit(error.code === 'EPIPE' ? EXIT_CODES.incomplete : EXIT_CODES.internal);
    });
  }
  const code = await run(argv, { signal: stop.signal });
  // Pools, sockets and worker threads are closed by the commands; exit anyway so a forgotten
  // handle cannot keep an operator's terminal waiting.
  process.exitCode = code;
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}
