// Every group of shared checks, in the order they run in each runtime. Adding a package's checks is
// one file in this folder (a `group(...)` of checks) and one line here.
import { apiKeysChecks } from './api-keys.ts';
import type { CheckGroup } from './check.ts';
import { coreChecks } from './core.ts';
import { envelopeChecks } from './envelope.ts';
import { honoChecks } from './hono.ts';
import { piiChecks } from './pii.ts';
import { vaultChecks } from './vault.ts';

export const sharedGroups: readonly CheckGroup[] = [
  coreChecks,
  envelopeChecks,
  vaultChecks,
  piiChecks,
  apiKeysChecks,
  honoChecks,
];
