// Glue to @coffer/provider-keys: the manager the `provider-keys` commands drive, over the vault of
// the database and the keyring. The vault's audit events (the writes, and the reveal of a `test`)
// are written to stderr as JSON lines, so an operator's run leaves the record an app's would.
import { isCofferError } from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, type Keyring } from '@coffer/envelope';
import {
  builtInProviders,
  createAnthropicProvider,
  createGoogleProvider,
  createMistralProvider,
  createOpenAIProvider,
  createProviderKeys,
  createProviderRegistry,
  type ProviderKeys,
} from '@coffer/provider-keys';
import { createVault, createVaultReader, type VaultStore } from '@coffer/vault';
import { CliError, refusedError } from './cli-error.js';
import { EXIT_CODES } from './exit-codes.js';
import type { CliOutputStream } from './io.js';

/** Errors of the manager that are the target's state, not a failure to run: exit 5. */
const REFUSED = new Set(['PROVIDER_KEY_NOT_FOUND', 'PROVIDER_KEY_CONFLICT', 'PROVIDER_KEY_BUSY']);

/**
 * The manager over `store`, sealing and opening with `keyring`. With `baseUrl`, the provider's
 * checks go there instead (a proxy, or a local stand-in); the other built-ins are unchanged.
 */
export function openProviderKeys(
  store: VaultStore,
  keyring: Keyring,
  options: {
    actor: string;
    stderr: CliOutputStream;
    provider?: string;
    baseUrl?: string;
    timeoutMs?: number;
  },
): ProviderKeys {
  const provider = createLocalKeyProvider(keyring);
  const envelope = createEnvelope({ provider });
  const audit = {
    emit: (event: unknown) => {
      options.stderr.write(`${JSON.stringify({ audit: event })}\n`);
    },
  };
  const make = {
    openai: createOpenAIProvider,
    anthropic: createAnthropicProvider,
    google: createGoogleProvider,
    mistral: createMistralProvider,
  } as const;
  const id = options.provider;
  const definitions =
    options.baseUrl === undefined || id === undefined
      ? builtInProviders
      : builtInProviders.map((p) =>
          p.id === id && Object.hasOwn(make, id)
            ? make[id as keyof typeof make]({ baseUrl: options.baseUrl as string })
            : p,
        );
  return createProviderKeys({
    providers: createProviderRegistry(definitions),
    vault: createVault({ store, envelope, provider, audit }),
    reader: createVaultReader({ store, envelope, audit }),
    actor: options.actor,
    ...(options.timeoutMs === undefined ? {} : { validation: { timeoutMs: options.timeoutMs } }),
  });
}

/** Maps the manager's state errors to the CLI's exit codes, keeping code, message and details. */
export function asCliError(error: unknown): unknown {
  if (!isCofferError(error)) return error;
  const details = error.details === undefined ? undefined : { ...error.details };
  if (REFUSED.has(error.code)) return refusedError(error.code, error.message, details);
  if (error.code === 'UNKNOWN_PROVIDER') {
    const known = builtInProviders.map((p) => p.id).join(', ');
    return new CliError(error.code, `--provider must be one of ${known}.`, EXIT_CODES.usage, {
      option: 'provider',
    });
  }
  return error;
}
