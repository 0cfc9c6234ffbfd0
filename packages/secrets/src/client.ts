// The read side: a client for one runtime surface. It loads every secret granted to its surface
// when it is created, then serves reads from memory: `current()` and `verifying()` are synchronous
// (so signing needs no await), reloads happen in the background after the TTL, and a value that
// could not be reloaded for `maxStaleMs` is refused rather than served forever.
import { InvalidInputError, isCofferError, onProcessSnapshot } from '@coffer/core';
import { type Expiry, scheduleExpiry } from './_expiry.js';
import {
  type LoadedSecret,
  type SecretVersion,
  toLoadedSecret,
  toSecretVersion,
} from './_snapshot.js';
import type { ValueOf } from './declarations.js';
import {
  type DefinedSecret,
  definedSecret,
  isSecretsDefinition,
  type NamesFor,
  type SecretDeclarations,
  type SecretsDefinition,
} from './define-secrets.js';
import {
  SecretNotGrantedError,
  SecretNotSetError,
  SecretSourceError,
  SecretUnavailableError,
  SecretVersionNotFoundError,
} from './errors.js';
import type { SecretRef, SecretSource } from './secret-source.js';

const DEFAULT_TTL_MS = 30_000;
const DEFAULT_MAX_STALE_MS = 300_000;
const MAX_TTL_MS = 86_400_000;
/** After a failed reload, background reloads wait this long before trying again. */
const RETRY_MS = 1_000;
/** Versions read with `version(n)` beyond the accepted ones, kept per secret. */
const MAX_EXTRA_VERSIONS = 32;

/** How long a client trusts what it loaded. */
export interface SecretsCacheOptions {
  /** Reload a secret read after this many milliseconds (default 30 000; 10 to 86 400 000). */
  readonly ttlMs?: number;
  /**
   * Refuse (`SECRET_UNAVAILABLE`) a secret that could not be reloaded for this long (default
   * 300 000; at least `ttlMs`). Until then a failed reload leaves the last value in service.
   */
  readonly maxStaleMs?: number;
}

/** Options of {@link createSecretsClient}. */
export interface SecretsClientOptions<U extends string> {
  /** The runtime surface this client serves (`api`, `worker`, …): it reads only what is granted. */
  readonly surface: U;
  /** Where values are read from. */
  readonly source: SecretSource;
  readonly cache?: SecretsCacheOptions;
  /**
   * The clock (ms since the epoch), for tests. When given, freshness is compared with it on every
   * read instead of being cleared by a timer.
   */
  readonly now?: () => number;
}

/** Typed access to one secret. */
export interface SecretAccessor<T> {
  /** The secret's name, namespace, owner and physical name. */
  readonly ref: SecretRef;
  /**
   * The version to use now. Synchronous: served from memory.
   *
   * @throws {SecretUnavailableError} `SECRET_UNAVAILABLE` when the value could not be reloaded for
   *   longer than `maxStaleMs`, or is reloading after a process snapshot.
   */
  current(): SecretVersion<T>;
  /**
   * Every version still accepted for verification, the current one first, then newest first.
   *
   * @throws {SecretUnavailableError} `SECRET_UNAVAILABLE` as for {@link SecretAccessor.current}.
   */
  verifying(): readonly SecretVersion<T>[];
  /**
   * Version `n`: an accepted one from memory, any other retained one from the source (cached for
   * the TTL).
   *
   * @throws {SecretVersionNotFoundError} `SECRET_VERSION_NOT_FOUND` when the source has no version `n`.
   * @throws {InvalidInputError} `INVALID_INPUT` when `n` is not a positive integer.
   * @throws {SecretSourceError} `SECRET_SOURCE_FAILED` when the source fails.
   * @throws {SecretFormatError} `SECRET_INVALID_FORMAT` when the stored text fails the declaration.
   */
  version(n: number): Promise<SecretVersion<T>>;
  /**
   * Forgets what is cached for this secret and reloads it; resolves once a read that started
   * after this call has been applied (the hook rotation and change feeds call).
   *
   * @throws {SecretSourceError} `SECRET_SOURCE_FAILED`, {@link SecretNotSetError} `SECRET_NOT_SET` or
   *   {@link SecretFormatError} `SECRET_INVALID_FORMAT` when the reload fails (the previous value
   *   stays in service until `maxStaleMs`).
   */
  invalidate(): Promise<void>;
}

/** A client for one surface: typed accessors for the secrets granted to it. */
export interface SecretsClient<D extends SecretDeclarations, U extends string> {
  readonly surface: U;
  /**
   * The accessor of secret `name`. A name that is not declared, or not granted to this surface,
   * is a compile error, and from untyped code a typed error raised before any source access.
   *
   * @throws {UnknownSecretError} `SECRET_UNKNOWN` for a name the definition does not declare.
   * @throws {SecretNotGrantedError} `SECRET_NOT_GRANTED` when this surface is not a consumer.
   */
  secret<N extends NamesFor<D, U>>(name: N): SecretAccessor<ValueOf<D[N]>>;
  /**
   * Reloads one secret (or every granted one) now; see {@link SecretAccessor.invalidate}.
   *
   * @throws {UnknownSecretError} `SECRET_UNKNOWN` / {@link SecretNotGrantedError} `SECRET_NOT_GRANTED`
   *   as for {@link SecretsClient.secret}; reload failures as for {@link SecretAccessor.invalidate}.
   */
  invalidate(name?: NamesFor<D, U>): Promise<void>;
}

interface ClientContext {
  readonly surface: string;
  readonly source: SecretSource;
  readonly ttlMs: number;
  readonly maxStaleMs: number;
  readonly now: () => number;
  /** Cleared for good the first time this runtime's timers turn out not to be unref-able. */
  useTimers: boolean;
}

class SecretEntry {
  /** The loaded secret while it is within its TTL (timer strategy); read without a clock. */
  hot: LoadedSecret | undefined;
  loaded: LoadedSecret | undefined;
  loadedAt = Number.NEGATIVE_INFINITY;
  expiresAt = Number.NEGATIVE_INFINITY;
  retryAt = Number.NEGATIVE_INFINITY;
  generation = 0;
  inflight: Promise<void> | undefined;
  inflightGeneration = -1;
  expiry: Expiry | undefined;
  readonly extra = new Map<number, { version: SecretVersion<unknown>; expiresAt: number }>();

  constructor(
    readonly secret: DefinedSecret,
    private readonly ctx: ClientContext,
  ) {}

  /** What to serve now, reloading in the background when past the TTL; never throws. */
  peek(): LoadedSecret | undefined {
    const now = this.ctx.now();
    const loaded = this.loaded;
    if (loaded !== undefined && now < this.expiresAt) return loaded;
    if (this.inflight === undefined && now >= this.retryAt) this.reload().catch(() => {});
    if (loaded === undefined || now - this.loadedAt > this.ctx.maxStaleMs) return undefined;
    return loaded;
  }

  serve(): LoadedSecret {
    const loaded = this.peek();
    if (loaded !== undefined) return loaded;
    throw new SecretUnavailableError(
      this.secret.name,
      this.loaded === undefined
        ? 'is not loaded (a reload is under way)'
        : `could not be reloaded for longer than maxStaleMs (${this.ctx.maxStaleMs} ms)`,
    );
  }

  /** One read from the source, checked, decoded and applied. */
  private async load(): Promise<void> {
    const { source } = this.ctx;
    const { ref, name } = { ref: this.secret.ref, name: this.secret.name };
    let snapshot: unknown;
    try {
      snapshot = await source.read(ref);
    } catch (error) {
      // Coffer's own sources throw typed errors worth keeping (SECRET_SOURCE_REFUSED); anything
      // else may carry the value or request data in its message, so it is replaced.
      if (isCofferError(error)) throw error;
      throw new SecretSourceError(source.kind, name, 'threw');
    }
    if (snapshot === undefined)
      throw new SecretNotSetError([{ secret: name, ...where(source, ref) }]);
    this.apply(toLoadedSecret(source, this.secret, snapshot, this.loaded));
  }

  private apply(loaded: LoadedSecret): void {
    const { ctx } = this;
    const now = ctx.now();
    this.loaded = loaded;
    this.loadedAt = now;
    this.expiresAt = now + ctx.ttlMs;
    this.retryAt = Number.NEGATIVE_INFINITY;
    this.expiry?.cancel();
    this.expiry = undefined;
    this.hot = undefined;
    if (!ctx.useTimers) return;
    const token: { expiry: Expiry | undefined } = { expiry: undefined };
    token.expiry = scheduleExpiry(ctx.ttlMs, () => {
      if (this.expiry === token.expiry) this.hot = undefined;
    });
    if (token.expiry === undefined) {
      ctx.useTimers = false;
      return;
    }
    this.expiry = token.expiry;
    this.hot = loaded;
  }

  /**
   * Reloads, sharing a read already under way when it started after the last invalidation; a read
   * that started before it is waited for and followed by a new one (its answer may predate the
   * change that caused the invalidation).
   */
  reload(): Promise<void> {
    const generation = this.generation;
    const running = this.inflight;
    if (running !== undefined) {
      if (this.inflightGeneration === generation) return running;
      const again = (): Promise<void> => this.reload();
      return running.then(again, again);
    }
    this.inflightGeneration = generation;
    const done: Promise<void> = this.load()
      .catch((error: unknown) => {
        this.retryAt = this.ctx.now() + RETRY_MS;
        throw error;
      })
      .finally(() => {
        if (this.inflight === done) this.inflight = undefined;
      });
    this.inflight = done;
    return done;
  }

  invalidate(): Promise<void> {
    this.generation++;
    this.hot = undefined;
    this.expiresAt = Number.NEGATIVE_INFINITY;
    this.retryAt = Number.NEGATIVE_INFINITY;
    this.expiry?.cancel();
    this.expiry = undefined;
    this.extra.clear();
    return this.reload();
  }

  /** Forgets every value (a process snapshot is about to be written, or was just restored). */
  clear(): void {
    this.generation++;
    this.expiry?.cancel();
    this.expiry = undefined;
    this.hot = undefined;
    this.loaded = undefined;
    this.loadedAt = Number.NEGATIVE_INFINITY;
    this.expiresAt = Number.NEGATIVE_INFINITY;
    this.retryAt = Number.NEGATIVE_INFINITY;
    this.extra.clear();
  }

  async version(n: number): Promise<SecretVersion<unknown>> {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
      throw new InvalidInputError('version must be a positive integer', {
        details: { parameter: 'version' },
      });
    }
    const accepted = this.peek()?.accepted.find((v) => v.version === n);
    if (accepted !== undefined) return accepted;
    const now = this.ctx.now();
    const cached = this.extra.get(n);
    if (cached !== undefined && now < cached.expiresAt) return cached.version;
    const { source } = this.ctx;
    const generation = this.generation;
    let stored: unknown;
    try {
      stored = await source.readVersion(this.secret.ref, n);
    } catch (error) {
      if (isCofferError(error)) throw error;
      throw new SecretSourceError(source.kind, this.secret.name, 'threw');
    }
    if (stored === undefined) throw new SecretVersionNotFoundError(this.secret.name, n);
    const { version } = toSecretVersion(source, this.secret, stored);
    if (version.version !== n) {
      throw new SecretSourceError(source.kind, this.secret.name, 'answered another version');
    }
    if (generation === this.generation) {
      this.extra.delete(n);
      if (this.extra.size >= MAX_EXTRA_VERSIONS) {
        const oldest = this.extra.keys().next();
        if (oldest.done !== true) this.extra.delete(oldest.value);
      }
      this.extra.set(n, { version, expiresAt: this.ctx.now() + this.ctx.ttlMs });
    }
    return version;
  }
}

function where(source: SecretSource, ref: SecretRef): { where?: string } {
  if (typeof source.locate !== 'function') return {};
  try {
    const text: unknown = source.locate(ref);
    return typeof text === 'string' ? { where: text.slice(0, 200) } : {};
  } catch {
    return {};
  }
}

class Accessor {
  readonly ref: SecretRef;
  readonly #entry: SecretEntry;

  constructor(entry: SecretEntry) {
    this.#entry = entry;
    this.ref = entry.secret.ref;
  }

  current(): SecretVersion<unknown> {
    const hot = this.#entry.hot;
    if (hot !== undefined) return hot.current;
    return this.#entry.serve().current;
  }

  verifying(): readonly SecretVersion<unknown>[] {
    const hot = this.#entry.hot;
    if (hot !== undefined) return hot.accepted;
    return this.#entry.serve().accepted;
  }

  version(n: number): Promise<SecretVersion<unknown>> {
    return this.#entry.version(n);
  }

  invalidate(): Promise<void> {
    return this.#entry.invalidate();
  }
}

class Client {
  readonly surface: string;
  readonly #definition: SecretsDefinition;
  readonly #accessors = new Map<string, Accessor>();
  readonly #entries: SecretEntry[] = [];

  constructor(definition: SecretsDefinition, ctx: ClientContext) {
    this.surface = ctx.surface;
    this.#definition = definition;
    for (const secret of definition.secrets) {
      if (!secret.consumers.includes(ctx.surface)) continue;
      const entry = new SecretEntry(secret, ctx);
      this.#entries.push(entry);
      this.#accessors.set(secret.name, new Accessor(entry));
    }
    const entries = this.#entries;
    onProcessSnapshot(() => {
      for (const entry of entries) entry.clear();
    });
  }

  secret(name: string): Accessor {
    const accessor = this.#accessors.get(name);
    if (accessor !== undefined) return accessor;
    // Not granted or not declared: say which, without touching the source.
    const defined = definedSecret(this.#definition, name);
    throw new SecretNotGrantedError(defined.name, this.surface);
  }

  async invalidate(name?: string): Promise<void> {
    if (name !== undefined) return this.secret(name).invalidate();
    await Promise.all(this.#entries.map((entry) => entry.invalidate()));
  }

  /** The first load of every granted secret; every missing one is named in one error. */
  async loadAll(): Promise<void> {
    const results = await Promise.allSettled(this.#entries.map((entry) => entry.reload()));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    const first = failures[0];
    if (first === undefined) return;
    const missing = failures.filter((f): f is SecretNotSetError => f instanceof SecretNotSetError);
    if (first instanceof SecretNotSetError && missing.length > 1) {
      throw new SecretNotSetError(
        missing.flatMap(
          (m) =>
            (m.details?.secrets as Array<{ secret: string; where?: string }> | undefined) ?? [],
        ),
      );
    }
    throw first;
  }
}

function positiveMs(value: unknown, fallback: number, parameter: string, min: number): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < min ||
    value > MAX_TTL_MS
  ) {
    throw new InvalidInputError(`${parameter} must be an integer from ${min} to ${MAX_TTL_MS}`, {
      details: { parameter },
    });
  }
  return value;
}

/**
 * Creates the client of one runtime surface and loads every secret granted to it (nothing else is
 * read). Reads are then served from memory: `current()` and `verifying()` synchronously. A value
 * is reloaded in the background once read after `ttlMs`, and refused after `maxStaleMs` without a
 * successful reload. The cache is per process: other instances see a change within `ttlMs`, or at
 * once when they call `invalidate()`.
 *
 * @throws {SecretNotSetError} `SECRET_NOT_SET` naming every granted secret that has no value.
 * @throws {SecretFormatError} `SECRET_INVALID_FORMAT` when a stored value fails its declaration.
 * @throws {SecretSourceError} `SECRET_SOURCE_FAILED` when the source fails or answers garbage.
 * @throws {SourceRefusedError} `SECRET_SOURCE_REFUSED` from the local source in production.
 * @throws {InvalidInputError} `INVALID_INPUT` on a surface not in the definition or bad options.
 * @example
 * ```ts
 * import { createMemorySecretSource, createSecretsClient, createSecretsManager, defineSecrets, secret } from '@coffer/secrets';
 *
 * const app = defineSecrets({
 *   workspace: 'acme',
 *   project: 'shop',
 *   environment: 'test',
 *   surfaces: ['api', 'worker'],
 *   secrets: {
 *     stripeApiKey: secret.static({ consumers: ['api'], format: /^sk_test_\w+$/ }),
 *     webhookSigning: secret.random({ consumers: ['api', 'worker'] }),
 *   },
 * });
 * const source = createMemorySecretSource();
 * const manager = createSecretsManager(app, { source });
 * await manager.set('stripeApiKey', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc');
 * await manager.rotate('webhookSigning');
 *
 * const api = await createSecretsClient(app, { surface: 'api', source });
 * api.secret('stripeApiKey').current().value.expose(); // 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'
 * api.secret('webhookSigning').current().version; // 1
 * ```
 */
export async function createSecretsClient<
  D extends SecretDeclarations,
  S extends string,
  const U extends S,
>(
  definition: SecretsDefinition<D, S>,
  options: SecretsClientOptions<U>,
): Promise<SecretsClient<D, U>> {
  if (!isSecretsDefinition(definition)) {
    throw new InvalidInputError(
      'createSecretsClient() takes a definition made by defineSecrets()',
      {
        details: { parameter: 'definition' },
      },
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new InvalidInputError('createSecretsClient() takes options with a surface and a source', {
      details: { parameter: 'options' },
    });
  }
  const { surface, source, cache = {}, now } = options;
  if (
    typeof surface !== 'string' ||
    !(definition.surfaces as readonly string[]).includes(surface)
  ) {
    throw new InvalidInputError('surface must be one of the surfaces the definition lists', {
      details: { parameter: 'surface' },
    });
  }
  if (
    typeof source !== 'object' ||
    source === null ||
    typeof source.read !== 'function' ||
    typeof source.readVersion !== 'function' ||
    typeof source.kind !== 'string'
  ) {
    throw new InvalidInputError('source must implement SecretSource (kind, read, readVersion)', {
      details: { parameter: 'source' },
    });
  }
  if (now !== undefined && typeof now !== 'function') {
    throw new InvalidInputError('now must be a function returning milliseconds', {
      details: { parameter: 'now' },
    });
  }
  const ttlMs = positiveMs(cache.ttlMs, DEFAULT_TTL_MS, 'cache.ttlMs', 10);
  const maxStaleMs = positiveMs(
    cache.maxStaleMs,
    Math.max(DEFAULT_MAX_STALE_MS, ttlMs),
    'cache.maxStaleMs',
    ttlMs,
  );
  const client = new Client(definition, {
    surface,
    source,
    ttlMs,
    maxStaleMs,
    now: now ?? Date.now,
    useTimers: now === undefined,
  });
  await client.loadAll();
  return client as unknown as SecretsClient<D, U>;
}
