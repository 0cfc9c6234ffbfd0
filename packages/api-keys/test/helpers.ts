import {
  type ApiKeyHasher,
  type ApiKeyManager,
  type ApiKeyStore,
  type ApiKeyVerifier,
  type ApiKeyVerifierOptions,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
} from '../src/index.js';

export const T0 = 1_750_000_000_000;

export interface Harness {
  store: ApiKeyStore;
  hasher: ApiKeyHasher;
  manager: ApiKeyManager;
  verifier: ApiKeyVerifier;
  now: { ms: number };
  clock: () => number;
  newVerifier: (extra?: Partial<ApiKeyVerifierOptions>) => ApiKeyVerifier;
}

/** A memory store, a cost-4 main-thread hasher, a manager and a verifier on one fake clock. */
export function harness(
  extra: Partial<ApiKeyVerifierOptions> = {},
  store: ApiKeyStore = createMemoryApiKeyStore(),
): Harness {
  const hasher = createBcryptHasher({ cost: 4, threads: 0 });
  const now = { ms: T0 };
  const clock = (): number => now.ms;
  const newVerifier = (more: Partial<ApiKeyVerifierOptions> = {}): ApiKeyVerifier =>
    createApiKeyVerifier({ store, hasher, clock, ...extra, ...more });
  const manager = createApiKeyManager({ store, hasher, clock });
  return { store, hasher, manager, verifier: newVerifier(), now, clock, newVerifier };
}

/** Replaces one character of `text` at `index` with a different character from `alphabet`. */
export function alter(text: string, index: number, alphabet: string, pick: number): string {
  const current = text[index];
  const choices = [...alphabet].filter((c) => c !== current);
  const replacement = choices[pick % choices.length] ?? 'x';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}
