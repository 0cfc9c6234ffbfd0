// A CAPI relay worker: it holds only vault ids, and reveals a platform token through the vault
// reader at the moment it signs an outbound call. Each job names the organization it runs for, and
// the token is read through `reader.forOwner(organization)`: a job that carries another
// organization's vault id (a bug, a forged queue message) finds nothing — NOT_FOUND, exactly as for
// an id that never existed — and sends nothing. The token lives for one request, is never logged,
// and every read is audited by the vault, with the organization.
import type { VaultReader } from '@coffer/vault';
import { sendEvent } from './platform-server.ts';

export interface CapiRelay {
  /**
   * Forwards one event for `organization` with the token stored under `tokenVaultId`; returns the
   * HTTP status. Rejects with `NOT_FOUND` when the organization has no such token.
   */
  forward(
    organization: string,
    tokenVaultId: string,
    event: Record<string, unknown>,
  ): Promise<number>;
}

export function createCapiRelay(options: {
  reader: VaultReader;
  endpoint: string;
  actor: string;
}): CapiRelay {
  return {
    async forward(organization, tokenVaultId, event) {
      const token = await options.reader.forOwner(organization).reveal(tokenVaultId, {
        actor: options.actor,
        purpose: 'capi-forward',
      });
      // expose() only here, at the last moment, straight into the signed request.
      return sendEvent(options.endpoint, token.expose(), event);
    },
  };
}
