// A complete API key record for direct store tests, with overrides.
import type { ApiKeyRecord } from '@coffer/api-keys';

export const T0 = 1_750_000_000_000;

export function apiKeyRecord(keyId: string, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    keyId,
    organizationId: 'org_1',
    env: 'live',
    name: 'direct test',
    scopes: ['events:read'],
    tier: 'standard',
    start: `lp_live_${keyId}`,
    secretHash: `$2b$04$${'a'.repeat(53)}`,
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    createdAt: T0,
    expiresAt: null,
    rotatedAt: null,
    revokedAt: null,
    killed: false,
    lastUsedAt: null,
    revision: 1,
    metadata: {},
    ...extra,
  };
}

/** The n-th 16-character key id; ids sort in n order. */
export function keyIdOf(n: number): string {
  return `K${n.toString().padStart(15, '0')}`;
}
