import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultPreview } from '../src/index.js';
import { setup } from './_helpers.js';

const shown = (p: string) => Array.from(p.replaceAll('…', '')).length;

describe('defaultPreview', () => {
  it.each([
    ['sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c', 'sk-proj-…6b5c'],
    ['EAAGm0PX4ZCpsBA1234567890abcd', 'EAAG…abcd'],
    ['whsec_0123456789abcdef', 'whs…cdef'],
    ['0123456789ab', '…89ab'],
    ['0123456789a', '…'],
    ['', '…'],
    ['🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑', '🔑…🔑🔑🔑🔑'],
  ])('%s → %s', (value, preview) => {
    expect(defaultPreview(value)).toBe(preview);
  });

  it('shows control characters, NUL first of all, as U+FFFD (every store can keep the preview as text)', () => {
    expect(defaultPreview('\u0000tok_0123456789\u0000')).toBe('\uFFFD…789\uFFFD');
    expect(defaultPreview('\u001b[31mred-token-0123456789\u0007')).toBe('\uFFFD[31…789\uFFFD');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (value) => {
        expect(defaultPreview(value)).not.toMatch(/\p{Cc}/u);
      }),
    );
  });

  it('replaces control characters a custom preview returns, too', async () => {
    const { vault } = setup({ previews: { k: () => '\u0000…\u0000' } });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-0123456789-value' });
    expect((await vault.describe(id)).preview).toBe('\uFFFD…\uFFFD');
  });

  it('replaces an unpaired surrogate a custom preview returns (a cut surrogate pair) with U+FFFD', async () => {
    // SQL drivers encode text as UTF-8 and turn an unpaired surrogate into U+FFFD: the memory
    // store kept it, so one preview read back differently from one store to another.
    const { vault } = setup({ previews: { k: (v) => `${v.slice(0, 3)}…${v.slice(-1)}` } });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'ab😀cdefghijklmnop-🔑' });
    expect((await vault.describe(id)).preview).toBe('ab\uFFFD…\uFFFD');
    await vault.rotate(id, '\u{1F511}\u{1F511}cdefghijklmnop-🔑');
    expect((await vault.describe(id)).preview).toBe('🔑\uFFFD…\uFFFD');
  });

  it('never shows more than a third of the value, and never splits a code point', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (value) => {
        const p = defaultPreview(value);
        expect(shown(p)).toBeLessThanOrEqual(Math.floor(Array.from(value).length / 3));
        expect(p).not.toMatch(/\p{Surrogate}/u);
        expect(p).toContain('…');
      }),
    );
  });
});

describe('per-kind previews', () => {
  it('uses the kind function and rejects one that shows too much, storing nothing', async () => {
    const { vault, store } = setup({
      previews: {
        'webhook-secret': () => 'whsec_…',
        greedy: (v) => v,
        'not-string': () => 5 as unknown as string,
      },
    });
    const { id } = await vault.put({
      kind: 'webhook-secret',
      owner: 'o',
      value: 'whsec_0123456789abcdef',
    });
    expect((await vault.describe(id)).preview).toBe('whsec_…');
    for (const kind of ['greedy', 'not-string']) {
      await expect(
        vault.put({ kind, owner: 'o', value: 'whsec_0123456789abcdef' }),
      ).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
    }
    expect((await store.listEntries({ owner: 'o', limit: 10 })).length).toBe(1);
  });
});
