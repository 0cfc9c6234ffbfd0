// Asserting that no secret appears anywhere a value could carry it: JSON, util.inspect, String,
// and for errors the message, stack, details and the whole cause chain.
import { inspect } from 'node:util';
import { expect } from 'vitest';

function renderings(value: unknown, depth = 0): string[] {
  const out = [inspect(value, { depth: 10, showHidden: true, getters: false })];
  try {
    out.push(JSON.stringify(value) ?? '');
  } catch {
    // Not serializable: inspect covers it.
  }
  out.push(String(value));
  if (value instanceof Error) {
    out.push(value.message, value.stack ?? '');
    if (depth < 5 && value.cause !== undefined) out.push(...renderings(value.cause, depth + 1));
  }
  return out;
}

/** Fails when any of `secrets` appears in any rendering of `value`. */
export function expectNoSecret(value: unknown, secrets: readonly string[]): void {
  const text = renderings(value).join('\n');
  for (const secret of secrets) {
    expect(text.includes(secret), 'a secret appeared in the output').toBe(false);
    // Also its distinctive middle (a truncated or re-encoded rendering would still show that).
    const middle = secret.slice(Math.floor(secret.length / 3), Math.floor((2 * secret.length) / 3));
    if (middle.length >= 8) expect(text.includes(middle), 'part of a secret appeared').toBe(false);
  }
}
