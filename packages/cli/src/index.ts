export { EXIT_CODES, type ExitCode } from './exit-codes.js';
export type { CliInputStream, CliIo, CliOutputStream } from './io.js';
export { run } from './run.js';
