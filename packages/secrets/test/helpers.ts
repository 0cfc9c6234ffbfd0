// Test doubles: a source over fixed versions that counts every call, and a small definition.
import { redact } from '@coffer/core';
import {
  defineSecrets,
  type SecretRef,
  type SecretSource,
  type StoredSecretSnapshot,
  type StoredSecretVersion,
  secret,
} from '../src/index.js';

export const owner = { workspace: 'acme', project: 'shop', environment: 'test' } as const;

/** A 43-character base64url text of 32 bytes, different per seed (test keys only). */
export function keyText(seed: number): string {
  const bytes = new Uint8Array(32).map((_, i) => (seed * 31 + i * 7 + 1) & 0xff);
  return Buffer.from(bytes).toString('base64url');
}

export interface CountingSource extends SecretSource {
  /** Every call, in order: [method, secret name]. */
  readonly calls: Array<[string, string]>;
  /** Replaces what the source holds for a secret (by name): versions, newest accepted first. */
  set(name: string, versions: ReadonlyArray<[number, string]>, current?: number): void;
  /** Makes the next reads of `name` throw (a foreign error carrying `leak` in its message). */
  failing: Set<string>;
  /** Resolves reads of `name` only when the returned function is called. */
  hold(name: string): () => void;
}

export function countingSource(leak = 'sk_live_LEAKED_VALUE'): CountingSource {
  const data = new Map<string, StoredSecretSnapshot>();
  const held = new Map<string, Promise<void>>();
  const calls: Array<[string, string]> = [];
  const failing = new Set<string>();
  const gate = async (ref: SecretRef) => {
    await held.get(ref.name);
    if (failing.has(ref.name)) throw new Error(`connection reset while reading ${leak}`);
  };
  return {
    kind: 'counting',
    calls,
    failing,
    set(name, versions, current) {
      const stored: StoredSecretVersion[] = versions.map(([version, text]) => ({
        version,
        value: redact(text),
        createdAt: 1_700_000_000_000 + version,
      }));
      const head = stored.find((v) => v.version === (current ?? stored[0]?.version));
      if (head === undefined) throw new Error('no current version');
      data.set(name, { current: head, accepted: stored });
    },
    hold(name) {
      let release = () => {};
      held.set(
        name,
        new Promise<void>((resolve) => {
          release = () => {
            held.delete(name);
            resolve();
          };
        }),
      );
      return release;
    },
    async read(ref) {
      calls.push(['read', ref.name]);
      await gate(ref);
      return data.get(ref.name);
    },
    async readVersion(ref, version) {
      calls.push(['readVersion', ref.name]);
      await gate(ref);
      const snapshot = data.get(ref.name);
      return snapshot?.accepted.find((v) => v.version === version);
    },
    locate(ref) {
      return `test slot ${ref.name}`;
    },
  };
}

/** A definition with one secret of each kind and two surfaces. */
export function sampleApp() {
  return defineSecrets({
    ...owner,
    surfaces: ['api', 'worker', 'admin'],
    secrets: {
      stripeApiKey: secret.static({
        namespace: 'billing',
        consumers: ['api'],
        format: /^sk_(live|test)_[A-Za-z0-9]{8,}$/,
      }),
      webhookSigning: secret.random({ consumers: ['api', 'worker'] }),
      adminToken: secret.static({ consumers: ['admin'] }),
    },
  });
}
