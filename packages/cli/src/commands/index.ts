// Every command group, in the order `coffer --help` lists them. A new group is one file in this
// directory exporting its commands, and one line here.
import type { CommandSpec } from '../command.js';
import { apiKeysCommands } from './api-keys.js';
import { keygenCommands } from './keygen.js';
import { keysCommands } from './keys.js';
import { migrateCommands } from './migrate.js';
import { piiCommands } from './pii.js';
import { providerKeysCommands } from './provider-keys.js';
import { rewrapCommands } from './rewrap.js';
import { secretsCommands } from './secrets.js';

/** Every command of `coffer`. */
export const COMMANDS: readonly CommandSpec[] = [
  ...keygenCommands,
  ...migrateCommands,
  ...keysCommands,
  ...rewrapCommands,
  ...apiKeysCommands,
  ...piiCommands,
  ...secretsCommands,
  ...providerKeysCommands,
];
