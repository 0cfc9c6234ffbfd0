// Rotation over a stateful source, safe from several instances and resumable after a crash:
//
//   1. read the state (version v, revision r); decide (due? another run's lease live?) on that read
//   2. claim: write state "in progress from v, lease until t + leaseMs, claim c" if still at (v, r)
//      — of several instances exactly one claim succeeds; the others wait for the result
//   3. produce the value (CSPRNG, or the generator); a generator's metadata is written into the
//      claim before the value is stored, so a crash after that point loses no metadata
//   4. store the value with check-and-set on v (the vault's `rotate` with expectedVersion): one new
//      version per v, even if a lease ran out and another run took over meanwhile
//   5. finalize: state "last rotated now, next due, not in progress", the version's metadata recorded
//
// A run that finds a claim whose lease has ended takes it over: if the value was stored (version >
// fromVersion) it only finalizes; otherwise it produces a value again, telling a generator what the
// interrupted attempt had recorded.
import { Redacted, randomBytes } from '@coffer/core';
import type { GenerateContext } from './declarations.js';
import type { DefinedSecret } from './define-secrets.js';
import type {
  SecretRotationState,
  SecretStateRecord,
  StatefulSecretSource,
} from './secret-source.js';

/** How a rotation attempt ended for one secret. */
export type RotationOutcome =
  /** This call stored the new version. */
  | 'rotated'
  /** This call finished a rotation an earlier run had left in progress. */
  | 'resumed'
  /** Another instance rotated meanwhile; its version is current and nothing more was stored. */
  | 'rotated-by-other'
  /** Another instance holds a live claim and had not finished when this call stopped waiting. */
  | 'in-progress'
  /** The interval has not passed. */
  | 'not-due';

export interface Produced {
  readonly text: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface RotationRun {
  readonly source: StatefulSecretSource;
  readonly now: () => number;
  readonly leaseMs: number;
  readonly waitMs: number;
  readonly produce: (
    secret: DefinedSecret,
    previous: GenerateContext['previous'],
    interrupted: GenerateContext['interrupted'],
  ) => Promise<Produced>;
  readonly changed: (secret: DefinedSecret, version: number) => void;
}

const ROUNDS = 64;
const POLL_MS = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether the declared interval has passed since the last rotation (a secret never set: yes). */
export function isDue(
  secret: DefinedSecret,
  state: SecretRotationState | undefined,
  at: number,
): boolean {
  const interval = secret.ref.rotation.intervalMs;
  if (interval === null) return false;
  const last = state?.lastRotatedAt ?? null;
  return last === null || at >= last + interval;
}

function settled(
  secret: DefinedSecret,
  at: number,
  lastError: SecretRotationState['lastError'],
): SecretRotationState {
  const interval = secret.ref.rotation.intervalMs;
  return {
    lastRotatedAt: at,
    nextDueAt: interval === null ? null : at + interval,
    inProgress: null,
    lastError,
  };
}

/**
 * Finishes a rotation whose value is stored (version > fromVersion): clears the claim, records the
 * version's metadata. Answers whether this call wrote the final state.
 */
async function finalize(
  run: RotationRun,
  secret: DefinedSecret,
  record: SecretStateRecord,
): Promise<boolean> {
  const p = record.state.inProgress;
  const written = await run.source.writeState(
    secret.ref,
    settled(secret, run.now(), null),
    { revision: record.revision, version: record.version },
    { version: record.version, metadata: p?.pendingMetadata ?? {} },
  );
  return written !== undefined;
}

/**
 * After a failure, if this run still holds its claim: records the error so the next run starts
 * clean — or, when the value was stored before the failure, finalizes instead, so the next run
 * does not rotate a second time.
 */
async function release(
  run: RotationRun,
  secret: DefinedSecret,
  claim: string,
  code: string,
): Promise<void> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const record = await run.source.readState(secret.ref);
    const p = record?.state.inProgress;
    if (record === undefined || p === null || p === undefined || p.claim !== claim) return;
    if (record.version > p.fromVersion) {
      if (await finalize(run, secret, record)) return;
      continue;
    }
    const written = await run.source.writeState(
      secret.ref,
      { ...record.state, inProgress: null, lastError: { code, at: run.now() } },
      { revision: record.revision, version: record.version },
    );
    if (written !== undefined) return;
  }
}

/**
 * Rotates one random or generated secret over a stateful source. `force`: rotate now (the
 * operator's `rotate`); otherwise only when due.
 */
export async function rotateWithState(
  run: RotationRun,
  secret: DefinedSecret,
  force: boolean,
): Promise<{ outcome: RotationOutcome; version: number | null }> {
  const { source } = run;
  const ref = secret.ref;
  // Waiting for another instance is bounded in real time (the injected clock is logical: leases
  // and due dates), and waiting rounds do not count against ROUNDS.
  const deadline = performance.now() + run.waitMs;
  let startVersion: number | undefined;
  let ownClaim: string | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const waited = performance.now();
    const record = await source.readState(ref);
    const at = run.now();
    if (record === undefined) {
      if (!force && !isDue(secret, undefined, at)) return { outcome: 'not-due', version: null };
      // No value yet: the first write is a put whose name the store keeps unique.
      const produced = await run.produce(secret, undefined, undefined);
      const result = await source.write(ref, {
        value: redactedText(produced.text),
        metadata: produced.metadata,
        expectedCurrent: null,
      });
      if (result.written) {
        run.changed(secret, result.version.version);
        return { outcome: 'rotated', version: result.version.version };
      }
      if (result.current === null) continue;
      return { outcome: 'rotated-by-other', version: result.current };
    }
    startVersion ??= record.version;
    const p = record.state.inProgress;
    if (p === null && record.version > startVersion) {
      return { outcome: 'rotated-by-other', version: record.version };
    }
    let interrupted: GenerateContext['interrupted'];
    if (p !== null) {
      if (record.version > p.fromVersion) {
        // The value is stored, the state not finalized: whoever sees it first finishes it (after
        // giving a live claim's owner the chance to, unless the claim is this call's own).
        if (p.claim !== ownClaim && p.leaseUntil > at && waited < deadline) {
          round--;
          await sleep(POLL_MS);
          continue;
        }
        if (await finalize(run, secret, record)) {
          run.changed(secret, record.version);
          return { outcome: 'resumed', version: record.version };
        }
        continue;
      }
      if (p.leaseUntil > at) {
        // Another run holds a live claim: wait for its result rather than produce a second value.
        if (waited >= deadline) return { outcome: 'in-progress', version: record.version };
        round--;
        await sleep(Math.min(POLL_MS, Math.max(1, deadline - waited)));
        continue;
      }
      interrupted = { startedAt: p.startedAt, metadata: p.pendingMetadata ?? undefined };
    } else if (!force && !isDue(secret, record.state, at)) {
      return { outcome: 'not-due', version: record.version };
    }
    const claim = randomBytes(12).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '');
    const claimed: SecretRotationState = {
      ...record.state,
      inProgress: {
        fromVersion: record.version,
        startedAt: at,
        leaseUntil: at + run.leaseMs,
        claim,
        pendingMetadata: null,
      },
    };
    let revision = await source.writeState(ref, claimed, {
      revision: record.revision,
      version: record.version,
    });
    if (revision === undefined) continue; // another run claimed first: read what it did
    ownClaim = claim;
    let stored: number;
    try {
      let previous: GenerateContext['previous'];
      if (secret.declaration.mode === 'generated') {
        const current = await source.readVersion(ref, record.version);
        previous = { version: record.version, metadata: { ...current?.metadata } };
      }
      const produced = await run.produce(secret, previous, interrupted);
      if (Object.keys(produced.metadata).length > 0 && claimed.inProgress !== null) {
        revision = await source.writeState(
          ref,
          { ...claimed, inProgress: { ...claimed.inProgress, pendingMetadata: produced.metadata } },
          { revision, version: record.version },
        );
        if (revision === undefined) continue; // the lease ran out and another run took over
      }
      const result = await source.write(ref, {
        value: redactedText(produced.text),
        metadata: produced.metadata,
        expectedCurrent: record.version,
      });
      if (!result.written) continue; // another run stored a value for this version: finish it
      stored = result.version.version;
    } catch (error) {
      const code =
        typeof error === 'object' &&
        error !== null &&
        typeof (error as { code?: unknown }).code === 'string'
          ? (error as { code: string }).code
          : 'ERROR';
      await release(run, secret, claim, code).catch(() => undefined);
      throw error;
    }
    run.changed(secret, stored);
    // Finalize; a conflict means the state changed under us (another run finalized, or took over
    // after our lease ended): re-read and finish only what is still ours to finish.
    for (let attempt = 0; attempt < 8; attempt++) {
      const now = await source.readState(ref);
      const q = now?.state.inProgress;
      if (now === undefined || q === null || q === undefined || now.version <= q.fromVersion) break;
      if (await finalize(run, secret, now)) break;
    }
    return { outcome: interrupted === undefined ? 'rotated' : 'resumed', version: stored };
  }
  const last = await source.readState(ref);
  return { outcome: 'in-progress', version: last?.version ?? null };
}

/** After a `set` of a static secret: the state says when it was set and when it is next due. */
export async function settleAfterSet(run: RotationRun, secret: DefinedSecret): Promise<void> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const record = await run.source.readState(secret.ref);
    if (record === undefined) return;
    const written = await run.source.writeState(secret.ref, settled(secret, run.now(), null), {
      revision: record.revision,
      version: record.version,
    });
    if (written !== undefined) return;
  }
}

function redactedText(text: string): Redacted<string> {
  return new Redacted(text);
}
