// envelope: seal+open against one raw node:crypto AES-256-GCM seal+open under a fixed key, and
// against the AWS Encryption SDK for JavaScript (raw AES keyring, committed unsigned suite).
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import type { BenchContext } from './harness.ts';

const KEY = new Uint8Array(32).fill(1);
const CONTEXT = { vaultId: 'vlt_01J8ZQ4T7Y3K9W2M5N6P', tenant: 'acme', purpose: 'meta-capi' };

/** One raw AES-256-GCM seal plus one open under a fixed key: the floor an envelope is held to. */
function rawSealOpen(plaintext: Uint8Array): () => Buffer {
  const nonce = new Uint8Array(12);
  return () => {
    randomFillSync(nonce);
    const c = createCipheriv('aes-256-gcm', KEY, nonce);
    const ct = Buffer.concat([c.update(plaintext), c.final()]);
    const tag = c.getAuthTag();
    const d = createDecipheriv('aes-256-gcm', KEY, nonce);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ct), d.final()]);
  };
}

export default async function (b: BenchContext): Promise<void> {
  // A generated key: the keyring refuses the fixed ones our docs and benches print.
  const keyring = Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]);
  const envelope = createEnvelope({ provider: createLocalKeyProvider(keyring) });
  const sealOpen = (plaintext: Uint8Array) => async (): Promise<Uint8Array> =>
    envelope.open(await envelope.seal(plaintext, { context: CONTEXT }), { context: CONTEXT });

  const small = new Uint8Array(256).fill(3);
  await b.compare({
    name: 'envelope: seal+open 256 B vs node:crypto',
    target: 0.4,
    baseline: { name: 'node:crypto aes-256-gcm seal+open', fn: rawSealOpen(small) },
    subject: sealOpen(small),
  });

  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const awsKeyring = new RawAesKeyringNode({
    keyName: 'bench-key',
    keyNamespace: 'coffer-bench',
    unencryptedMasterKey: new Uint8Array(32).fill(9),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  await b.compare({
    name: 'envelope: seal+open 256 B vs AWS Encryption SDK',
    target: 20,
    baseline: {
      name: '@aws-crypto/client-node raw AES keyring, ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY',
      fn: async () => {
        const { result } = await encrypt(awsKeyring, small, {
          suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
          encryptionContext: CONTEXT,
        });
        return (await decrypt(awsKeyring, result)).plaintext;
      },
    },
    subject: sealOpen(small),
  });

  // Informational: opening a value whose wrapping key this process has not derived yet (sealed by
  // another process), so every open pays the HKDF step. 1024 values from 1024 providers, opened
  // round-robin: more distinct seeds than the provider's cache holds.
  const sealedElsewhere: Uint8Array[] = [];
  for (let i = 0; i < 1024; i++) {
    const other = createEnvelope({ provider: createLocalKeyProvider(keyring) });
    sealedElsewhere.push(await other.seal(small, { context: CONTEXT }));
  }
  let next = 0;
  const rawOpenOnly = (() => {
    const nonce = new Uint8Array(12);
    const c = createCipheriv('aes-256-gcm', KEY, nonce);
    const ct = Buffer.concat([c.update(small), c.final()]);
    const tag = c.getAuthTag();
    return () => {
      const d = createDecipheriv('aes-256-gcm', KEY, nonce);
      d.setAuthTag(tag);
      return Buffer.concat([d.update(ct), d.final()]);
    };
  })();
  const coldOpen = await b.measure(async () =>
    envelope.open(sealedElsewhere[next++ & 1023] as Uint8Array, { context: CONTEXT }),
  );
  const rawOpen = await b.measure(rawOpenOnly);
  b.report({
    name: 'envelope: open 256 B sealed by another process (wrapping key derived per open), x node:crypto open',
    value: Number((coldOpen / rawOpen).toFixed(4)),
    unit: 'x',
  });

  const chacha = createEnvelope({
    provider: createLocalKeyProvider(keyring),
    algorithm: 'xchacha20-poly1305',
  });
  const chachaOps = await b.measure(async () =>
    chacha.open(await chacha.seal(small, { context: CONTEXT }), { context: CONTEXT }),
  );
  const rawOps = await b.measure(rawSealOpen(small));
  b.report({
    name: 'envelope: seal+open 256 B with xchacha20-poly1305, x node:crypto aes-256-gcm seal+open',
    value: Number((chachaOps / rawOps).toFixed(4)),
    unit: 'x',
  });

  const large = new Uint8Array(64 * 1024).fill(5);
  await b.compare({
    name: 'envelope: seal+open 64 KiB vs node:crypto',
    target: 0.8,
    baseline: { name: 'node:crypto aes-256-gcm seal+open', fn: rawSealOpen(large) },
    subject: sealOpen(large),
  });
}
