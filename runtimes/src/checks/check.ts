// The shared checks' frame: a check is a named async function; a group holds one package's checks.
// The same groups run in every runtime (bundled for workerd, run natively by Bun and Deno, and on
// Node in-process), so nothing here may need a Node built-in: no node:assert, no Buffer, no process.
import type { InteropFixture } from '../fixture.ts';

/** What a check gets: the runtime's name, Node's fixture, and a way to hand values back to Node. */
export interface CheckContext {
  /** The target's name, e.g. `workerd`, `bun`, `deno (portable bundle)`. */
  readonly target: string;
  /** What this target is expected to be (backend, threads): the driver knows, the check compares. */
  readonly expect: TargetExpectations;
  /** Values Node sealed, minted and hashed for this run. */
  readonly fixture: InteropFixture;
  /** Hands a JSON value back to the Node driver, which checks it after the run (interop). */
  output(name: string, value: unknown): void;
}

/** Facts about a target the driver states up front, so a check can tell a fallback from a fault. */
export interface TargetExpectations {
  /** The crypto backend `@coffer/core` must pick here. */
  readonly cryptoBackend: 'node' | 'noble';
  /** Whether the bcrypt hasher has worker threads here. */
  readonly workerThreads: boolean;
}

/** One check. It passes when `run` resolves and fails with the message of what it throws. */
export interface Check {
  readonly name: string;
  run(ctx: CheckContext): unknown;
}

/** The checks of one package (or one concern); see `index.ts` for how groups are listed. */
export interface CheckGroup {
  readonly name: string;
  readonly checks: readonly Check[];
}

/** One check's outcome, as reported to the driver. */
export interface CheckResult {
  readonly group: string;
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly ms: number;
}

/** What a runtime's harness reports back: results and the values handed to Node. */
export interface CheckReport {
  readonly target: string;
  readonly runtime: string;
  readonly results: readonly CheckResult[];
  readonly outputs: Record<string, unknown>;
}

/** Declares a group (typed, nothing else). */
export function group(name: string, checks: readonly Check[]): CheckGroup {
  return { name, checks };
}

/** A failed expectation. */
export class CheckFailed extends Error {
  override name = 'CheckFailed';
}

function show(value: unknown): string {
  if (value instanceof Uint8Array) return `bytes(${value.length}) ${toHexLocal(value)}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function toHexLocal(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes.subarray(0, 48)) out += b.toString(16).padStart(2, '0');
  return bytes.length > 48 ? `${out}…` : out;
}

/** Structural equality of JSON-like values and byte arrays. */
function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length)
      return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((x, i) => same(x, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return (
      same(ka, kb) &&
      ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return Object.is(a, b);
}

/** Throws unless `actual` equals `expected` (deeply; bytes by content). */
export function equal(actual: unknown, expected: unknown, what: string): void {
  if (!same(actual, expected)) {
    throw new CheckFailed(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** Throws unless `condition` holds. */
export function ok(condition: boolean, what: string): void {
  if (!condition) throw new CheckFailed(what);
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null
    ? (error as { code?: unknown }).code
    : undefined;
}

/** Throws unless `fn` throws an error whose `code` is `code`. */
export function throwsCode(fn: () => unknown, code: string, what: string): void {
  try {
    fn();
  } catch (error) {
    equal(codeOf(error), code, `${what} (error code)`);
    return;
  }
  throw new CheckFailed(`${what}: expected a ${code} error, nothing was thrown`);
}

/** Throws unless `promise` rejects with an error whose `code` is `code`. */
export async function rejectsCode(
  promise: Promise<unknown>,
  code: string,
  what: string,
): Promise<void> {
  try {
    await promise;
  } catch (error) {
    equal(codeOf(error), code, `${what} (error code)`);
    return;
  }
  throw new CheckFailed(`${what}: expected a ${code} rejection, it resolved`);
}

/** Runs every check of every group in order and collects the results; never throws. */
export async function runGroups(
  groups: readonly CheckGroup[],
  ctx: Omit<CheckContext, 'output'>,
  runtime: string,
): Promise<CheckReport> {
  const outputs: Record<string, unknown> = {};
  const full: CheckContext = {
    ...ctx,
    output(name, value) {
      outputs[name] = value;
    },
  };
  const results: CheckResult[] = [];
  for (const g of groups) {
    for (const check of g.checks) {
      const start = Date.now();
      try {
        await check.run(full);
        results.push({ group: g.name, name: check.name, ok: true, ms: Date.now() - start });
      } catch (error) {
        const message =
          error instanceof Error ? `${error.name}: ${error.message}` : `thrown: ${String(error)}`;
        results.push({
          group: g.name,
          name: check.name,
          ok: false,
          error: message,
          ms: Date.now() - start,
        });
      }
    }
  }
  return { target: ctx.target, runtime, results, outputs };
}
