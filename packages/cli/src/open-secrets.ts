// Glue to @coffer/secrets: the declarations come from the application's own module
// (`--declarations <file>`, exporting what defineSecrets returned), and the manager runs over the
// vault-backed source of the database's vault. The module is loaded with the @coffer/secrets it
// imports itself (resolved from the module's directory), because a definition is recognised only
// by the copy of the package that made it; the CLI's own copy is the fallback.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createEnvelope, createLocalKeyProvider, type Keyring } from '@coffer/envelope';
import type { SecretsDefinition, SecretsManager } from '@coffer/secrets';
import * as bundled from '@coffer/secrets';
import {
  createVault,
  createVaultReader,
  type VaultAuditEvent,
  type VaultStore,
} from '@coffer/vault';
import type { Args, OptionSpecs } from './args.js';
import { configError, usageError } from './cli-error.js';
import { printable } from './style.js';

/** The options of every `secrets` command. */
export const SECRETS_OPTIONS: OptionSpecs = {
  declarations: {
    type: 'string',
    value: 'module',
    description:
      'The JavaScript module (.js / .mjs; .ts where your Node strips types) that exports your defineSecrets() result.',
  },
  export: {
    type: 'string',
    value: 'name',
    description: 'The export holding the definition (default: default).',
  },
  owner: {
    type: 'string',
    value: 'owner',
    description:
      "The vault owner the app's vault source uses: its fixed owner option (default: the definition's workspace).",
  },
  actor: {
    type: 'string',
    value: 'who',
    description:
      "Who acts, in the vault's audit events (1-256 characters; default: coffer-cli:<OS user>@<host>).",
  },
};

const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const EXPORT_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,99}$/;

type SecretsModule = typeof bundled;

/** The loaded definition, the @coffer/secrets copy that made it, and its manager. */
export interface OpenedSecrets {
  readonly definition: SecretsDefinition;
  readonly manager: SecretsManager<SecretsDefinition['declarations']>;
  readonly owner: string;
}

function actorOf(args: Args): string {
  const given = args.string('actor');
  if (given !== undefined) {
    const trimmed = given.trim();
    if (trimmed.length === 0 || trimmed.length > 256 || CONTROL.test(trimmed)) {
      throw usageError('--actor must be 1-256 characters without control or format characters.', {
        option: 'actor',
      });
    }
    return trimmed;
  }
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No user entry (a container without /etc/passwd): keep "unknown".
  }
  return `coffer-cli:${user}@${hostname()}`.replace(CONTROL, '?').slice(0, 256);
}

async function load(
  file: string,
): Promise<{ module: Record<string, unknown>; secrets: SecretsModule }> {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw usageError('--declarations names no file: give the path of your declarations module.', {
      option: 'declarations',
    });
  }
  let secrets: SecretsModule = bundled;
  try {
    const own = createRequire(path).resolve('@coffer/secrets');
    secrets = (await import(pathToFileURL(own).href)) as SecretsModule;
  } catch {
    // The module's directory does not resolve @coffer/secrets: use the CLI's copy.
  }
  try {
    return { module: (await import(pathToFileURL(path).href)) as Record<string, unknown>, secrets };
  } catch (error) {
    // The module's own error may quote its environment: only its type is shown.
    const name = error instanceof Error ? error.name : typeof error;
    throw configError(
      'DECLARATIONS_LOAD_FAILED',
      `The declarations module could not be loaded (${name}). Run it with node to see why.`,
    );
  }
}

/**
 * Loads `--declarations` and opens the manager over the vault of `store`.
 *
 * @throws {CliError} `USAGE` without `--declarations`, `DECLARATIONS_LOAD_FAILED` /
 *   `DECLARATIONS_INVALID` (exit 3) when the module fails or exports no definition.
 */
export async function openSecrets(
  args: Args,
  store: VaultStore,
  keyring: Keyring,
  note: (text: string) => void,
): Promise<OpenedSecrets> {
  const exportName = args.string('export') ?? 'default';
  if (!EXPORT_NAME.test(exportName)) {
    throw usageError('--export must be a JavaScript identifier.', { option: 'export' });
  }
  const { module, secrets } = await load(args.requireString('declarations'));
  const definition = module[exportName];
  const probe = definition as Partial<SecretsDefinition> | undefined;
  if (
    typeof probe !== 'object' ||
    probe === null ||
    !Array.isArray(probe.secrets) ||
    typeof probe.owner?.workspace !== 'string'
  ) {
    throw configError(
      'DECLARATIONS_INVALID',
      `The declarations module has no export "${exportName}" made by defineSecrets(): export the definition (or pass --export).`,
    );
  }
  const typed = definition as SecretsDefinition;
  const owner = args.string('owner') ?? typed.owner.workspace;
  const actor = actorOf(args);
  // Keep as many earlier versions as the declared retention needs (a duration: the most there is).
  const maxVersions = Math.max(
    1,
    ...typed.secrets.map((s) =>
      s.ref.rotation.retain.kind === 'versions' ? s.ref.rotation.retain.versions : 15,
    ),
  );
  const envelope = createEnvelope({ provider: createLocalKeyProvider(keyring) });
  // The CLI has no audit log of its own: each event is a line on stderr, for the operator's record.
  const audit = {
    emit: (event: VaultAuditEvent) => {
      note(
        printable(
          `audit: ${event.action} ${event.name ?? event.id} v${event.version} owner=${event.owner} actor=${event.actor ?? ''}`,
        ),
      );
    },
  };
  const source = secrets.createVaultSecretSource({
    vault: createVault({ store, envelope, audit, maxVersions }),
    reader: createVaultReader({ store, envelope, audit }),
    owner,
    actor,
  });
  const manager = secrets.createSecretsManager(typed, { source });
  return { definition: typed, manager, owner };
}
