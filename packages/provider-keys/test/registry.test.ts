// defineProvider and the registry: a host-added provider is checked before anything runs it;
// unknown ids (inherited names included) are a typed error.
import { isCofferError } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  builtInProviders,
  createProviderRegistry,
  defineProvider,
  mistral,
  openai,
  type ProviderDefinition,
  UnknownProviderError,
} from '../src/index.js';

const base: ProviderDefinition = {
  id: 'acme',
  displayName: 'Acme AI',
  publicPrefixes: ['acme_'],
  checkFormat: () => ({ ok: true }),
  validation: {
    request: () => ({ url: 'https://api.acme.example/v1/me', method: 'GET', headers: {} }),
  },
  classifyFailure: () => ({ kind: 'other' }),
};

function invalidParameter(definition: unknown): unknown {
  try {
    defineProvider(definition as ProviderDefinition);
  } catch (e) {
    return isCofferError(e, 'INVALID_INPUT') ? (e.details as { parameter: string }).parameter : e;
  }
  return 'accepted';
}

describe('defineProvider', () => {
  it('returns a frozen copy, prefixes longest first and without duplicates', () => {
    const copy = defineProvider({ ...base, publicPrefixes: ['a-', 'a-b-', 'a-'] });
    expect(copy.publicPrefixes).toEqual(['a-b-', 'a-']);
    expect(Object.isFrozen(copy)).toBe(true);
    expect(Object.isFrozen(copy.publicPrefixes)).toBe(true);
    expect(Object.isFrozen(copy.validation)).toBe(true);
  });

  it('a class instance works: methods stay bound to it', () => {
    class Acme implements ProviderDefinition {
      readonly id = 'acme';
      readonly displayName = 'Acme AI';
      readonly publicPrefixes = [];
      readonly validation = base.validation;
      readonly #reason = 'key_rejected';
      checkFormat() {
        return { ok: true } as const;
      }
      classifyFailure() {
        return { kind: 'auth_failed', reason: this.#reason } as const;
      }
    }
    const copy = defineProvider(new Acme());
    expect(
      copy.classifyFailure({ status: 401, header: () => undefined, body: undefined }, { now: 0 }),
    ).toEqual({
      kind: 'auth_failed',
      reason: 'key_rejected',
    });
  });

  it('a later change to the original does not reach the copy', () => {
    const original = { ...base, publicPrefixes: ['acme_'] };
    const copy = defineProvider(original);
    original.publicPrefixes.push('');
    (original as { id: string }).id = 'changed';
    expect(copy.publicPrefixes).toEqual(['acme_']);
    expect(copy.id).toBe('acme');
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'openai', 'definition'],
    ['null', null, 'definition'],
    ['id upper case', { ...base, id: 'OpenAI' }, 'definition.id'],
    ['id with a space', { ...base, id: 'open ai' }, 'definition.id'],
    ['id __proto__', { ...base, id: '__proto__' }, 'definition.id'],
    ['id too long', { ...base, id: `a${'b'.repeat(32)}` }, 'definition.id'],
    ['empty display name', { ...base, displayName: ' ' }, 'definition.displayName'],
    [
      'display name with a control',
      { ...base, displayName: 'Acme\u0000' },
      'definition.displayName',
    ],
    ['prefixes not an array', { ...base, publicPrefixes: 'sk-' }, 'definition.publicPrefixes'],
    ['an empty prefix', { ...base, publicPrefixes: [''] }, 'definition.publicPrefixes'],
    ['a prefix with a space', { ...base, publicPrefixes: ['sk '] }, 'definition.publicPrefixes'],
    ['a long prefix', { ...base, publicPrefixes: ['x'.repeat(17)] }, 'definition.publicPrefixes'],
    [
      'too many prefixes',
      { ...base, publicPrefixes: Array.from({ length: 17 }, (_, i) => `p${i}`) },
      'definition.publicPrefixes',
    ],
    ['no checkFormat', { ...base, checkFormat: undefined }, 'definition.checkFormat'],
    ['no classifyFailure', { ...base, classifyFailure: 'other' }, 'definition.classifyFailure'],
    ['no validation', { ...base, validation: undefined }, 'definition.validation'],
    ['no request', { ...base, validation: {} }, 'definition.validation.request'],
    [
      'interpret not a function',
      { ...base, validation: { ...base.validation, interpret: 1 } },
      'definition.validation.interpret',
    ],
    [
      'readSuccessBody not a boolean',
      { ...base, validation: { ...base.validation, readSuccessBody: 'yes' } },
      'definition.validation.readSuccessBody',
    ],
  ])('%s → INVALID_INPUT naming %s', (_name, definition, parameter) => {
    expect(invalidParameter(definition)).toBe(parameter);
  });

  it('a getter that throws, or a proxy array of prefixes that throws → INVALID_INPUT', () => {
    const getter = Object.defineProperty({ ...base }, 'checkFormat', {
      get() {
        throw new Error('boom');
      },
    });
    expect(invalidParameter(getter)).toBe('definition.checkFormat');
    const prefixes = new Proxy(['a'], {
      get(_target, key) {
        if (key === 'length') return 1;
        throw new Error('boom');
      },
    });
    expect(invalidParameter({ ...base, publicPrefixes: prefixes })).toBe(
      'definition.publicPrefixes',
    );
  });
});

describe('createProviderRegistry', () => {
  it('holds the built-ins and the host’s own, in order', () => {
    const registry = createProviderRegistry([...builtInProviders, base]);
    expect(registry.ids()).toEqual(['openai', 'anthropic', 'google', 'mistral', 'acme']);
    expect(registry.get('acme').displayName).toBe('Acme AI');
    expect(registry.has('acme')).toBe(true);
    expect(registry.list().map((p) => p.id)).toEqual(registry.ids());
    expect(Object.isFrozen(registry)).toBe(true);
  });

  it('unknown ids are UNKNOWN_PROVIDER (404), inherited names included', () => {
    const registry = createProviderRegistry(builtInProviders);
    for (const id of [
      'cohere',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'OPENAI',
      '',
      'openai ',
    ]) {
      expect(registry.has(id)).toBe(false);
      let error: unknown;
      try {
        registry.get(id);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UnknownProviderError);
      expect(error).toMatchObject({ code: 'UNKNOWN_PROVIDER', status: 404 });
    }
  });

  it('an id from a request is echoed only when it is short printable ASCII', () => {
    const registry = createProviderRegistry([openai]);
    const echo = (id: unknown) => {
      try {
        registry.get(id as string);
      } catch (e) {
        return { message: (e as Error).message, details: (e as UnknownProviderError).details };
      }
      return undefined;
    };
    expect(echo('cohere')?.details).toEqual({ provider: 'cohere' });
    for (const id of ['x'.repeat(65), 'a\nb', '<script>\u0000', 42, null]) {
      const seen = echo(id);
      expect(seen?.details).toBeUndefined();
      if (typeof id === 'string') expect(seen?.message.includes(id)).toBe(false);
    }
  });

  it('refuses duplicate ids and malformed members', () => {
    expect(() => createProviderRegistry([openai, { ...mistral, id: 'openai' }])).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => createProviderRegistry([openai, { ...base, id: 'Bad' }])).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => createProviderRegistry(42 as unknown as ProviderDefinition[])).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
