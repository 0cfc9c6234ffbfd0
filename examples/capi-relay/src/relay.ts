// A CAPI relay worker: it holds only vault ids, and reveals a platform token through the vault
// reader at the moment it signs an outbound call. The token lives for one request, is never logged,
// and every read is audited by the vault.
import type { VaultReader } from '@coffer/vault';
import { sendEvent } from './platform-server.ts';

export interface CapiRelay {
  /** Forwards one event with the token stored under `tokenVaultId`; returns the HTTP status. */
  forward(tokenVaultId: string, event: Record<string, unknown>): Promise<number>;
}

export function createCapiRelay(options: {
  reader: VaultReader;
  endpoint: string;
  actor: string;
}): CapiRelay {
  return {
    async forward(tokenVaultId, event) {
      const token = await options.reader.reveal(tokenVaultId, {
        actor: options.actor,
        purpose: 'capi-forward',
      });
      // expose() only here, at the last moment, straight into the signed request.
      return sendEvent(options.endpoint, token.expose(), event);
    },
  };
}
