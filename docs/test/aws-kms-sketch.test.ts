// The AWS KMS provider sketch in docs/envelope-format.md is code people copy, so it is run, not
// only type-checked: taken from the doc as written, wired to an in-memory stand-in for the two KMS
// calls, and driven through an envelope. Among other things, a KEK id named by a stored value's
// header is looked up as an own key only: "constructor" or "__proto__" is UNKNOWN_KEK, never
// Object's prototype, which would have sent a Decrypt without the KeyId that pins the key.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  aes256GcmOpen,
  aes256GcmSeal,
  concatBytes,
  isCofferError,
  randomBytes,
  toHex,
} from '@coffer/core';
import { createEnvelope, type KeyProvider } from '@coffer/envelope';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(docs, '..');
// Inside docs/ so the sketch's imports resolve as the doc blocks' do; git-ignored.
const dir = join(docs, '.sketches', `aws-kms-${process.pid}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface KmsCalls {
  encrypt(input: {
    KeyId: string;
    Plaintext: Uint8Array;
    EncryptionContext: Record<string, string>;
  }): Promise<{ CiphertextBlob?: Uint8Array }>;
  decrypt(input: {
    KeyId: string;
    CiphertextBlob: Uint8Array;
    EncryptionContext: Record<string, string>;
  }): Promise<{ Plaintext?: Uint8Array }>;
}
type Factory = (options: {
  calls: KmsCalls;
  keys: Record<string, { arn: string; status: 'primary' | 'active' | 'retired' }>;
}) => KeyProvider;

let createAwsKmsKeyProvider: Factory;

beforeAll(async () => {
  const listed = spawnSync(
    process.execPath,
    [join(repo, 'scripts', 'check-doc-blocks.mjs'), '--list'],
    {
      encoding: 'utf8',
    },
  );
  const block = listed.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { file: string; code: string })
    .find(
      (b) => b.file === 'docs/envelope-format.md' && b.code.includes('createAwsKmsKeyProvider'),
    );
  if (block === undefined) throw new Error('the AWS KMS sketch is no longer in envelope-format.md');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'sketch.ts');
  writeFileSync(file, block.code);
  ({ createAwsKmsKeyProvider } = (await import(pathToFileURL(file).href)) as {
    createAwsKmsKeyProvider: Factory;
  });
});

/** A stand-in for AWS KMS: one AES key per ARN; Decrypt honours KeyId and the encryption context. */
function fakeKms(arns: string[]) {
  const keys = new Map(arns.map((arn) => [arn, randomBytes(32)]));
  const decrypts: Array<string | undefined> = [];
  const contextBytes = (c: Record<string, string>) => new TextEncoder().encode(JSON.stringify(c));
  const calls: KmsCalls = {
    async encrypt({ KeyId, Plaintext, EncryptionContext }) {
      const key = keys.get(KeyId);
      if (key === undefined)
        throw Object.assign(new Error('NotFound'), { name: 'NotFoundException' });
      const nonce = randomBytes(12);
      const id = new TextEncoder().encode(KeyId.padEnd(64));
      const sealed = aes256GcmSeal(key, nonce, Plaintext, contextBytes(EncryptionContext));
      return { CiphertextBlob: concatBytes(id, nonce, sealed) };
    },
    async decrypt({ KeyId, CiphertextBlob, EncryptionContext }) {
      decrypts.push(KeyId);
      // Without KeyId, KMS uses the key the blob names: what the sketch's KeyId must prevent.
      const named = new TextDecoder().decode(CiphertextBlob.subarray(0, 64)).trimEnd();
      if (KeyId !== undefined && KeyId !== named) {
        throw Object.assign(new Error(`blob is not under ${KeyId}`), {
          name: 'IncorrectKeyException',
        });
      }
      const key = keys.get(named);
      if (key === undefined)
        throw Object.assign(new Error('NotFound'), { name: 'NotFoundException' });
      try {
        const plain = aes256GcmOpen(
          key,
          CiphertextBlob.subarray(64, 76),
          CiphertextBlob.subarray(76),
          contextBytes(EncryptionContext),
        );
        return { Plaintext: plain };
      } catch {
        throw Object.assign(new Error('bad ciphertext'), { name: 'InvalidCiphertextException' });
      }
    },
  };
  return { calls, decrypts };
}

const context = { vaultId: 'v_1' };
const ARN_1 = 'arn:aws:kms:eu-west-1:123456789012:key/one';
const ARN_2 = 'arn:aws:kms:eu-west-1:123456789012:key/two';

describe('the AWS KMS provider sketch', () => {
  it('seals, opens and rewraps through an envelope', async () => {
    const kms = fakeKms([ARN_1, ARN_2]);
    const before = createEnvelope({
      provider: createAwsKmsKeyProvider({
        calls: kms.calls,
        keys: { 'kms-1': { arn: ARN_1, status: 'primary' } },
      }),
    });
    const sealed = await before.seal('EAAG-token', { context });
    const after = createEnvelope({
      provider: createAwsKmsKeyProvider({
        calls: kms.calls,
        keys: {
          'kms-2': { arn: ARN_2, status: 'primary' },
          'kms-1': { arn: ARN_1, status: 'active' },
        },
      }),
    });
    const rewrapped = await after.rewrap(sealed, { context });
    expect(new TextDecoder().decode(await after.open(rewrapped, { context }))).toBe('EAAG-token');
    expect(kms.decrypts.every((id) => id === ARN_1 || id === ARN_2)).toBe(true);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'a stored value naming KEK id "%s" is UNKNOWN_KEK, and KMS is never asked without a KeyId',
    async (kekId) => {
      const kms = fakeKms([ARN_1]);
      const provider = createAwsKmsKeyProvider({
        calls: kms.calls,
        keys: { 'kms-1': { arn: ARN_1, status: 'primary' } },
      });
      expect(await provider.keyStatus(kekId)).toBe('unknown');
      // A stored value whose header names that id (an attacker who can write rows can make one).
      const sealed = await createEnvelope({ provider }).seal('value', { context });
      const forged = concatBytes(
        new Uint8Array([1, 1, kekId.length]),
        new TextEncoder().encode(kekId),
        sealed.subarray(3 + 'kms-1'.length),
      );
      let code: unknown;
      try {
        await createEnvelope({ provider }).open(forged, { context });
      } catch (error) {
        code = isCofferError(error) ? error.code : `foreign ${String(error)}`;
      }
      expect(code).toBe('UNKNOWN_KEK');
      expect(kms.decrypts).not.toContain(undefined);
      expect(toHex(forged)).not.toBe(toHex(sealed));
    },
  );
});
