import { type KeyProvider, KeyProviderError } from '@coffer/envelope';

/**
 * Calls the key provider directly (the vault asks it for statuses and the primary KEK id outside
 * the envelope). As in the envelope, a coffer error it throws passes through and anything else
 * becomes `KEY_PROVIDER_FAILED` without the foreign message, which could carry request data
 * (internal).
 */
export async function askProvider<T>(
  provider: KeyProvider,
  operation: 'primaryKekId' | 'keyStatus',
  call: () => T | Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw KeyProviderError.from(provider, operation, error);
  }
}
