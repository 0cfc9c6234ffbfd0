import type { ContextMap } from '@coffer/envelope';

/**
 * The envelope context of one stored version (internal): the value opens only at this id, owner,
 * kind and version, so a sealed value copied to another row, tenant or version does not open.
 */
export function sealContext(
  entry: { id: string; owner: string; kind: string },
  version: number,
): ContextMap {
  return {
    'coffer.vault.id': entry.id,
    owner: entry.owner,
    kind: entry.kind,
    version: String(version),
  };
}
