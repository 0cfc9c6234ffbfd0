// Builds the run's interop fixture on Node: seals values, mints keys, reads the vector files.
import { readFileSync } from 'node:fs';
import { createApiKeyManager, createBcryptHasher, createMemoryApiKeyStore } from '@coffer/api-keys';
import {
  aes256GcmSeal,
  fromHex,
  hkdfSha256,
  hmacSha256Hex,
  toBase64Url,
  toHex,
  utf8Encode,
  xchacha20Poly1305Seal,
} from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, Keyring } from '@coffer/envelope';
import type { FormatVector, InteropFixture, PiiVector, SealedOnNode } from './fixture.ts';

const repo = new URL('../../', import.meta.url);
const readJson = <T>(path: string): T => JSON.parse(readFileSync(new URL(path, repo), 'utf8')) as T;

/** Fixed inputs for the primitive checks (any bytes do; these are easy to recognise). */
const seq = (length: number, start: number): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);

export async function makeFixture(): Promise<InteropFixture> {
  const key = seq(32, 0x10);
  const nonce12 = seq(12, 0x40);
  const nonce24 = seq(24, 0x50);
  const plaintext = utf8Encode('coffer interop: ünïcode ☃ and 0123456789');
  const aad = seq(13, 0x70);

  const format = readJson<{ keyringEnv: string; vectors: FormatVector[] }>(
    'packages/envelope/test/fixtures/format-v1.json',
  );
  const keyring = Keyring.fromEnv(format.keyringEnv);
  const envelopes = {
    'aes-256-gcm': createEnvelope({ provider: createLocalKeyProvider(keyring) }),
    'xchacha20-poly1305': createEnvelope({
      provider: createLocalKeyProvider(keyring),
      algorithm: 'xchacha20-poly1305',
    }),
  } as const;
  const sealedOnNode: SealedOnNode[] = [];
  const plaintexts: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array(0)],
    ['a token', utf8Encode('EAAG-token-🔑-ünïcode')],
    ['256 bytes', seq(256, 1)],
    ['64 KiB', seq(65536, 7)],
  ];
  for (const algorithm of ['aes-256-gcm', 'xchacha20-poly1305'] as const) {
    for (const [label, bytes] of plaintexts) {
      const context = { vaultId: `v_${label.length}`, tenant: 'zürich', purpose: 'interop' };
      sealedOnNode.push({
        name: `${algorithm}, ${label}`,
        kekId: '1',
        algorithm,
        context,
        plaintextHex: toHex(bytes),
        sealedText: await envelopes[algorithm].sealToString(bytes, { context }),
      });
    }
  }

  const store = createMemoryApiKeyStore();
  const cost = 4;
  const hasher = createBcryptHasher({ cost, threads: 0 });
  const manager = createApiKeyManager({ store, hasher });
  try {
    const scopes = ['events:read', 'events:write'];
    const valid = await manager.mint({
      organizationId: 'org_acme',
      env: 'live',
      name: 'interop',
      scopes,
    });
    const revoked = await manager.mint({
      organizationId: 'org_acme',
      env: 'test',
      name: 'revoked',
    });
    await manager.revoke(revoked.keyId);
    const killed = await manager.mint({ organizationId: 'org_acme', env: 'live', name: 'killed' });
    await manager.kill(killed.keyId);
    const inKilled = await manager.mint({
      organizationId: 'org_frozen',
      env: 'live',
      name: 'frozen',
    });
    await manager.setOrganizationKillSwitch('org_frozen', true);
    const elsewhere = createApiKeyManager({ store: createMemoryApiKeyStore(), hasher });
    const unknown = await elsewhere.mint({
      organizationId: 'org_acme',
      env: 'live',
      name: 'unknown',
    });
    const records = [];
    for (const id of [valid.keyId, revoked.keyId, killed.keyId, inKilled.keyId]) {
      const record = await store.getKey(id);
      if (record === null) throw new Error(`minted key ${id} is not in the store`);
      records.push(record);
    }
    const pii = readJson<{ pepperEnv: string; vectors: PiiVector[] }>(
      'packages/pii/test/fixtures/hash-vectors-v1.json',
    );
    return {
      core: {
        keyHex: toHex(key),
        nonce12Hex: toHex(nonce12),
        nonce24Hex: toHex(nonce24),
        plaintextHex: toHex(plaintext),
        aadHex: toHex(aad),
        aesGcmHex: toHex(aes256GcmSeal(key, nonce12, plaintext, aad)),
        xchachaHex: toHex(xchacha20Poly1305Seal(key, nonce24, plaintext, aad)),
        hmacHex: hmacSha256Hex(key, plaintext),
        hkdfHex: toHex(hkdfSha256(key, { salt: nonce12, info: aad, length: 42 })),
      },
      envelope: {
        keyringEnv: format.keyringEnv,
        formatV1: format.vectors,
        sealedOnNode,
        rotatedKeyringEnv: `${format.keyringEnv.replace('*1:', '1:')},*4:${toBase64Url(seq(32, 0x90))}`,
      },
      apiKeys: {
        cost,
        records,
        keys: {
          valid: valid.key.expose(),
          revoked: revoked.key.expose(),
          killed: killed.key.expose(),
          inKilledOrganization: inKilled.key.expose(),
          unknown: unknown.key.expose(),
        },
        validOrganizationId: 'org_acme',
        validScopes: scopes,
        killedOrganizationId: 'org_frozen',
      },
      pii,
    };
  } finally {
    await hasher.close();
  }
}

/** Hex to bytes (re-exported for the driver's interop checks). */
export { fromHex };
