export type { ContextMap } from './context.js';
export {
  createEnvelope,
  type Envelope,
  type EnvelopeOptions,
  type OpenOptions,
  type SealOptions,
} from './envelope.js';
export {
  InvalidContextError,
  InvalidKeyringError,
  KeyProviderError,
  RetiredKekError,
  UnknownKekError,
} from './errors.js';
export { formatKekEntry, generateKek } from './kek.js';
export type { KeyProvider, KeyStatus, WrappedKey } from './key-provider.js';
export { type KekInfo, type KekInput, type KekStatus, Keyring } from './keyring.js';
export { createLocalKeyProvider } from './local-key-provider.js';
export { type EnvelopeAlgorithm, inspectSealed, type SealedHeader } from './sealed-format.js';
