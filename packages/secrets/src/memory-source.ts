// A writable source in process memory: for tests and examples. Versions are kept per physical
// name; the newest `acceptVersions` are accepted for verification, the newest `retainVersions`
// can still be read with version(n).
import { InvalidInputError, Redacted } from '@coffer/core';
import type {
  SecretRef,
  SecretWrite,
  SecretWriteResult,
  StoredSecretSnapshot,
  StoredSecretVersion,
  WritableSecretSource,
} from './secret-source.js';

/** Options of {@link createMemorySecretSource}. */
export interface MemorySecretSourceOptions {
  /** How many of the newest versions verification accepts (default 2: current and previous). */
  readonly acceptVersions?: number;
  /** How many of the newest versions stay readable (default 10; at least `acceptVersions`). */
  readonly retainVersions?: number;
  /** The clock for `createdAt` (ms since the epoch). */
  readonly now?: () => number;
}

/** The in-memory source. It counts reads, which tests use to prove what was (not) read. */
export interface MemorySecretSource extends WritableSecretSource {
  /** How many `read` and `readVersion` calls were made for each physical name. */
  readonly reads: ReadonlyMap<string, number>;
}

function count(min: number, value: unknown, fallback: number, parameter: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > 100) {
    throw new InvalidInputError(`${parameter} must be an integer from ${min} to 100`, {
      details: { parameter },
    });
  }
  return value;
}

/**
 * A writable {@link SecretSource} in memory. Not shared between processes: use it for tests and
 * examples, never as a production store.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` on out-of-range options, or a write whose value is
 *   not a `Redacted` string.
 * @example
 * ```ts
 * import { createMemorySecretSource } from '@coffer/secrets';
 *
 * const source = createMemorySecretSource({ acceptVersions: 2 });
 * source.kind; // 'memory'
 * ```
 */
export function createMemorySecretSource(
  options: MemorySecretSourceOptions = {},
): MemorySecretSource {
  const acceptVersions = count(1, options.acceptVersions, 2, 'acceptVersions');
  const retainVersions = count(
    acceptVersions,
    options.retainVersions,
    Math.max(10, acceptVersions),
    'retainVersions',
  );
  const now = options.now ?? Date.now;
  const versions = new Map<string, StoredSecretVersion[]>();
  const reads = new Map<string, number>();
  const counted = (ref: SecretRef): StoredSecretVersion[] | undefined => {
    reads.set(ref.physicalName, (reads.get(ref.physicalName) ?? 0) + 1);
    return versions.get(ref.physicalName);
  };
  return {
    kind: 'memory',
    reads,
    async read(ref: SecretRef): Promise<StoredSecretSnapshot | undefined> {
      const all = counted(ref);
      const current = all?.[all.length - 1];
      if (all === undefined || current === undefined) return undefined;
      return { current, accepted: all.slice(-acceptVersions).reverse() };
    },
    async readVersion(ref: SecretRef, version: number): Promise<StoredSecretVersion | undefined> {
      return counted(ref)?.find((v) => v.version === version);
    },
    async write(ref: SecretRef, write: SecretWrite): Promise<SecretWriteResult> {
      if (!Redacted.isRedacted(write.value) || typeof write.value.expose() !== 'string') {
        throw new InvalidInputError('value must be a Redacted string', {
          details: { parameter: 'value' },
        });
      }
      const all = versions.get(ref.physicalName) ?? [];
      const current = all[all.length - 1]?.version ?? null;
      if (write.expectedCurrent !== current) return { written: false, current };
      const stored: StoredSecretVersion = Object.freeze({
        version: (current ?? 0) + 1,
        value: write.value as Redacted<string>,
        createdAt: now(),
        metadata: Object.freeze({ ...write.metadata }),
      });
      versions.set(ref.physicalName, [...all, stored].slice(-retainVersions));
      return { written: true, version: stored };
    },
  };
}
