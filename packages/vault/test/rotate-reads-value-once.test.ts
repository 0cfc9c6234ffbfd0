// rotate waits for the store before it seals the new value (and seals again after a lost race), so
// it reads a byte value once, when called: bytes the caller reuses meanwhile (a buffer filled with
// the next value) must not become the stored value.
import { describe, expect, it } from 'vitest';
import { setup, WHO } from './_helpers.js';

describe('rotate reads a byte value when called', () => {
  it('a buffer the caller refills before rotate resolves does not change what is stored', async () => {
    const { vault, reader } = setup();
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'first-0123456789' });
    const buffer = Buffer.from('second-0123456789');
    const pending = vault.rotate(id, buffer);
    buffer.write('THIRD!-9876543210');
    expect(await pending).toEqual({ id, version: 2 });
    expect((await reader.reveal(id, WHO)).expose()).toBe('second-0123456789');
  });
});
