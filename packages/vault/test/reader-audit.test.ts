// A reader cannot be made without deciding about its audit trail: a sink, or the explicit,
// greppable opt-out 'unaudited'.
import { describe, expect, it } from 'vitest';
import { createMemoryVaultStore, createVault, createVaultReader } from '../src/index.js';
import { keys, TOKEN, WHO } from './_helpers.js';

describe('createVaultReader and its audit sink', () => {
  const store = createMemoryVaultStore();
  const { envelope } = keys('one');

  it('refuses to be created without an audit sink', () => {
    let caught: unknown;
    try {
      createVaultReader({ store, envelope } as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'INVALID_INPUT', details: { parameter: 'audit' } });
    expect((caught as Error).message).toContain("audit: 'unaudited'");
  });

  it.each([
    ['null', null],
    ['a string other than the opt-out', 'none'],
    ['false', false],
    ['an object without emit', {}],
  ])('refuses %s as the sink', (_name, audit) => {
    expect(() => createVaultReader({ store, envelope, audit } as never)).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  it('records every reveal with a sink', async () => {
    const vault = createVault({ store, envelope });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN });
    const events: string[] = [];
    const reader = createVaultReader({
      store,
      envelope,
      audit: { emit: (e) => void events.push(`${e.action} ${e.id} ${e.actor}`) },
    });
    expect((await reader.reveal(id, WHO)).expose()).toBe(TOKEN);
    expect(events).toEqual([`reveal ${id} ${WHO.actor}`]);
  });

  it("reveals without records only with the explicit audit: 'unaudited'", async () => {
    const vault = createVault({ store, envelope });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN });
    const reader = createVaultReader({ store, envelope, audit: 'unaudited' });
    expect((await reader.reveal(id, WHO)).expose()).toBe(TOKEN);
  });
});
