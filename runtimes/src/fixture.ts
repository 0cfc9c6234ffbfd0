// What Node hands every runtime for one run: values it sealed, keys it minted, the vector files.
// Plain JSON (hex strings for bytes) so it crosses into workerd, Bun and Deno unchanged.
import type { ApiKeyRecord } from '@coffer/api-keys';

/** One sealed value and how it was made. */
export interface SealedOnNode {
  readonly name: string;
  readonly kekId: string;
  readonly algorithm: 'aes-256-gcm' | 'xchacha20-poly1305';
  readonly context: Record<string, string>;
  readonly plaintextHex: string;
  readonly sealedText: string;
}

/** A format-v1 known-answer vector (packages/envelope/test/fixtures/format-v1.json). */
export interface FormatVector {
  readonly name: string;
  readonly kekId: string;
  readonly algorithm: 'aes-256-gcm' | 'xchacha20-poly1305';
  readonly context: Record<string, string>;
  readonly plaintextHex: string;
  readonly sealedHex: string;
  readonly sealedText: string;
}

/** A hashUserData vector (packages/pii/test/fixtures/hash-vectors-v1.json). */
export interface PiiVector {
  readonly name: string;
  readonly profile: string;
  readonly options: { defaultCountry?: string; keepIp?: boolean; keepDeviceId?: boolean };
  readonly input: Record<string, string>;
  readonly expected: {
    userData: Record<string, string>;
    dropped: Array<{ field: string; reason: string }>;
  };
}

export interface InteropFixture {
  /** Raw primitives computed with Node's backend (node:crypto) on fixed inputs. */
  readonly core: {
    readonly keyHex: string;
    readonly nonce12Hex: string;
    readonly nonce24Hex: string;
    readonly plaintextHex: string;
    readonly aadHex: string;
    readonly aesGcmHex: string;
    readonly xchachaHex: string;
    readonly hmacHex: string;
    readonly hkdfHex: string;
  };
  readonly envelope: {
    /** The keyring of format-v1.json (test-only keys). */
    readonly keyringEnv: string;
    readonly formatV1: readonly FormatVector[];
    /** Sealed by this run's Node process with the same keyring. */
    readonly sealedOnNode: readonly SealedOnNode[];
    /** The same keys plus a new primary `4`, to rewrap into. */
    readonly rotatedKeyringEnv: string;
  };
  readonly apiKeys: {
    /** bcrypt cost the keys were hashed with (low: these are test keys). */
    readonly cost: number;
    /** The records Node's store holds, as stored. */
    readonly records: readonly ApiKeyRecord[];
    /** Keys Node minted: one usable, one revoked, one killed, one in a killed organization. */
    readonly keys: {
      readonly valid: string;
      readonly revoked: string;
      readonly killed: string;
      readonly inKilledOrganization: string;
      /** Well-formed, minted elsewhere, stored nowhere: verifiers compare it with the dummy hash. */
      readonly unknown: string;
    };
    readonly validOrganizationId: string;
    readonly validScopes: readonly string[];
    readonly killedOrganizationId: string;
  };
  readonly pii: {
    readonly pepperEnv: string;
    readonly vectors: readonly PiiVector[];
  };
}
