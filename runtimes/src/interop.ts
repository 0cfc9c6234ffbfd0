// The Node half of the interop checks: what a runtime sealed, rewrapped and minted must open and
// verify here, with header bytes identical to Node's own.
import {
  type ApiKeyRecord,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
} from '@coffer/api-keys';
import { fromBase64Url, fromHex, toHex } from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, Keyring } from '@coffer/envelope';
import { type Check, type CheckReport, equal, ok } from './checks/check.ts';
import type { SealedHere } from './checks/envelope.ts';
import { headerBytes } from './checks/envelope.ts';
import type { InteropFixture } from './fixture.ts';

const bytesOf = (text: string): Uint8Array => fromBase64Url(text.slice('cf1.'.length));

function outputOf<T>(report: CheckReport, name: string): T {
  const value = report.outputs[name];
  if (value === undefined) throw new Error(`the runtime handed back no ${name} (its check failed)`);
  return value as T;
}

/** Checks Node runs on one runtime's report. */
export function interopChecks(fixture: InteropFixture, report: CheckReport): Check[] {
  const f = fixture.envelope;
  return [
    {
      name: `Node opens what ${report.target} sealed; header bytes identical to Node's`,
      run: async () => {
        const sealedHere = outputOf<SealedHere[]>(report, 'envelope.sealedHere');
        ok(sealedHere.length >= 6, 'both algorithms, three values each');
        for (const algorithm of ['aes-256-gcm', 'xchacha20-poly1305'] as const) {
          const envelope = createEnvelope({
            provider: createLocalKeyProvider(Keyring.fromEnv(f.keyringEnv)),
            algorithm,
          });
          const nodeHeader = toHex(
            headerBytes(bytesOf(await envelope.sealToString('x', { context: {} }))),
          );
          for (const v of sealedHere.filter((s) => s.algorithm === algorithm)) {
            equal(
              toHex(headerBytes(bytesOf(v.sealedText))),
              nodeHeader,
              `${algorithm} header bytes`,
            );
            equal(
              await envelope.openString(v.sealedText, { context: v.context }),
              fromHex(v.plaintextHex),
              `${algorithm} opens on Node`,
            );
          }
        }
      },
    },
    {
      name: `Node opens what ${report.target} rewrapped (new primary KEK)`,
      run: async () => {
        const rewrapped = outputOf<SealedHere[]>(report, 'envelope.rewrappedHere');
        const envelope = createEnvelope({
          provider: createLocalKeyProvider(Keyring.fromEnv(f.rotatedKeyringEnv)),
        });
        ok(rewrapped.length === f.sealedOnNode.length, 'every value came back');
        for (const v of rewrapped) {
          equal(
            await envelope.openString(v.rewrappedText ?? '', { context: v.context }),
            fromHex(v.plaintextHex),
            'opens on Node',
          );
        }
      },
    },
    {
      name: `Node verifies the API key ${report.target} minted`,
      run: async () => {
        const minted = outputOf<{ key: string; record: ApiKeyRecord }>(
          report,
          'apiKeys.mintedHere',
        );
        const store = createMemoryApiKeyStore();
        ok(await store.insertKey(minted.record), 'record inserted');
        const hasher = createBcryptHasher({ cost: 4, threads: 0 });
        try {
          const verified = await createApiKeyVerifier({ store, hasher }).verify(minted.key, {
            requiredScopes: ['events:read'],
          });
          equal(
            [verified.organizationId, verified.env],
            ['org_runtime', 'test'],
            'verified on Node',
          );
        } finally {
          await hasher.close();
        }
      },
    },
  ];
}
