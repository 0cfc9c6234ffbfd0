import { inspect } from 'node:util';
import { isCofferError, Redacted, toBase64Url } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  createEnvelope,
  createLocalKeyProvider,
  formatKekEntry,
  generateKek,
  InvalidKeyringError,
  Keyring,
} from '../src/index.js';
import { envKey, testKey } from './_helpers.js';

const K1 = envKey(0x41);
const K2 = envKey(0x42);
const K3 = envKey(3);

/** Every error for bad keyring input: INVALID_KEYRING, and not a fragment of any key text in it. */
function expectKeyringError(fn: () => unknown, keyTexts: string[] = []): InvalidKeyringError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidKeyringError);
  const error = caught as InvalidKeyringError;
  expect(error.code).toBe('INVALID_KEYRING');
  const surfaces = [error.message, JSON.stringify(error), inspect(error), String(error.stack)];
  for (const key of keyTexts) {
    for (let i = 0; i + 8 <= key.length; i += 4) {
      const fragment = key.slice(i, i + 8);
      for (const surface of surfaces) expect(surface).not.toContain(fragment);
    }
  }
  expect(error.cause).toBeUndefined();
  return error;
}

describe('Keyring.fromEnv', () => {
  it('parses ids, keys and markers', () => {
    const keyring = Keyring.fromEnv(`*2:${K2},1:${K1},!0:${K3}`);
    expect(keyring.primaryKekId).toBe('2');
    expect(keyring.list()).toEqual([
      { id: '2', status: 'primary' },
      { id: '1', status: 'active' },
      { id: '0', status: 'retired' },
    ]);
    expect(keyring.status('0')).toBe('retired');
    expect(keyring.status('9')).toBe('unknown');
  });

  it('ignores whitespace and newlines around entries', () => {
    const keyring = Keyring.fromEnv(`\n  *k-2024.a:${K1} ,\n\t1:${K2}\n`);
    expect(keyring.list()).toEqual([
      { id: 'k-2024.a', status: 'primary' },
      { id: '1', status: 'active' },
    ]);
  });

  it('round-trips through toEnv, which is Redacted', () => {
    const textForm = `*2:${K2},1:${K1},!0:${K3}`;
    const again = Keyring.fromEnv(textForm).toEnv();
    expect(String(again)).toBe('[REDACTED]');
    expect(again.expose()).toBe(textForm);
  });

  const hostile: Array<[string, unknown]> = [
    ['undefined (env var not set)', undefined],
    ['null', null],
    ['a number', 42],
    ['bytes', new Uint8Array(43)],
    ['empty', ''],
    ['blank', ' \n\t '],
    ['a lone comma', ','],
    ['a trailing comma', `*1:${K1},`],
    ['a leading comma', `,*1:${K1}`],
    ['a double comma', `*1:${K1},,2:${K2}`],
    ['no primary', `1:${K1},2:${K2}`],
    ['two primaries', `*1:${K1},*2:${K2}`],
    ['primary and retired', `*!1:${K1}`],
    ['retired and primary', `!*1:${K1}`],
    ['double marker', `**1:${K1}`],
    ['only a retired key', `!1:${K1}`],
    ['a duplicate id', `*1:${K1},1:${K2}`],
    ['the same key under two ids', `*1:${K1},2:${K1}`],
    ['no colon', `*1${K1}`],
    ['no id', `*:${K1}`],
    ['no key', '*1:'],
    ['a 31-byte key', `*1:${toBase64Url(new Uint8Array(31).fill(1))}`],
    ['a 33-byte key', `*1:${toBase64Url(new Uint8Array(33).fill(1))}`],
    ['a padded key', `*1:${K1}=`],
    [
      'a standard-base64 key',
      `*1:${toBase64Url(new Uint8Array(32).fill(0xfb)).replace(/-/g, '+').replace(/_/g, '/')}`,
    ],
    ['non-canonical trailing bits', `*1:${K1.slice(0, 42)}F`],
    ['a hex key', `*1:${'ab'.repeat(32)}`],
    ['a key with a space inside', `*1:${K1.slice(0, 20)} ${K1.slice(20)}`],
    ['an all-zero key', `*1:${toBase64Url(new Uint8Array(32))}`],
    ['a negative id', `*-1:${K1}`],
    ['an id with a space', `*a b:${K1}`],
    ['an id too long', `*${'a'.repeat(33)}:${K1}`],
    ['a non-ASCII id', `*ü:${K1}`],
    ['an id with a colon', `*a:b:${K1}`],
    ['the whole env line', `COFFER_MASTER_KEYS=*1:${K1}`],
    ['quoted', `"*1:${K1}"`],
    ['spaces around the colon', `*1 : ${K1}`],
    [
      'too many entries',
      Array.from(
        { length: 65 },
        (_, i) => `${i === 0 ? '*' : ''}${i}:${toBase64Url(new Uint8Array(32).fill(i + 1))}`,
      ).join(','),
    ],
    ['huge text', `*1:${K1},${'x'.repeat(70_000)}`],
    ['emoji', '*🔑:🔑'],
    ['a NUL byte', `*1:${K1}\u0000`],
  ];
  for (const [name, input] of hostile) {
    it(`refuses ${name} with INVALID_KEYRING, printing no key text`, () => {
      expectKeyringError(() => Keyring.fromEnv(input as string), [K1, K2, K3]);
    });
  }

  it('names the entry by position and says how to fix it', () => {
    const error = expectKeyringError(() => Keyring.fromEnv(`*1:${K1},2:short`), [K1]);
    expect(error.message).toMatch(/Entry 2 of the keyring text \(id "2"\) does not hold a key/);
    expect(error.message).toContain('43 characters');
    expect(error.details).toEqual({ entry: 2, kekId: '2' });
    const primary = expectKeyringError(() => Keyring.fromEnv(`1:${K1}`), [K1]);
    expect(primary.message).toContain('No key is marked primary');
  });
});

describe('Keyring.fromKeys', () => {
  it('builds from bytes or Redacted bytes and numeric or string ids', () => {
    const keyring = Keyring.fromKeys([
      { id: 2, key: testKey(0x42), status: 'primary' },
      { id: 'one', key: new Redacted(testKey(0x41)) },
      { id: 0, key: testKey(3), status: 'retired' },
    ]);
    expect(keyring.toJSON()).toEqual({
      primaryKekId: '2',
      keys: [
        { id: '2', status: 'primary' },
        { id: 'one', status: 'active' },
        { id: '0', status: 'retired' },
      ],
    });
  });

  it('copies the keys it is given', () => {
    const key = testKey(5);
    const keyring = Keyring.fromKeys([{ id: 1, key, status: 'primary' }]);
    key.fill(0);
    expect(keyring.toEnv().expose()).toBe(`*1:${envKey(5)}`);
  });

  it("copies a Buffer key too (Buffer#slice shares memory): zeroing the caller's copy changes nothing", async () => {
    const secret = Buffer.from(testKey(5));
    const keyring = Keyring.fromKeys([{ id: 1, key: secret, status: 'primary' }]);
    const envelope = createEnvelope({ provider: createLocalKeyProvider(keyring) });
    const sealed = await envelope.seal('sealed before the caller wiped its buffer', {
      context: {},
    });
    secret.fill(0); // what a careful caller does once the keyring is built
    expect(keyring.toEnv().expose()).toBe(`*1:${envKey(5)}`);
    const other = createEnvelope({
      provider: createLocalKeyProvider(Keyring.fromEnv(`*1:${envKey(5)}`)),
    });
    const later = await envelope.seal('sealed after', { context: {} });
    expect(new TextDecoder().decode(await other.open(sealed, { context: {} }))).toBe(
      'sealed before the caller wiped its buffer',
    );
    expect(new TextDecoder().decode(await other.open(later, { context: {} }))).toBe('sealed after');
  });

  const hostile: Array<[string, unknown]> = [
    ['not an array', { id: 1, key: testKey(0x41), status: 'primary' }],
    ['an empty list', []],
    ['a null entry', [null]],
    ['a string entry', [`*1:${K1}`]],
    ['a negative id', [{ id: -1, key: testKey(0x41), status: 'primary' }]],
    ['a fractional id', [{ id: 1.5, key: testKey(0x41), status: 'primary' }]],
    ['NaN', [{ id: Number.NaN, key: testKey(0x41), status: 'primary' }]],
    ['an unsafe integer id', [{ id: 2 ** 53, key: testKey(0x41), status: 'primary' }]],
    ['an empty id', [{ id: '', key: testKey(0x41), status: 'primary' }]],
    ['an id with a comma', [{ id: 'a,b', key: testKey(0x41), status: 'primary' }]],
    ['a 16-byte key', [{ id: 1, key: new Uint8Array(16).fill(1), status: 'primary' }]],
    ['a key as text', [{ id: 1, key: K1, status: 'primary' }]],
    ['a Redacted string key', [{ id: 1, key: new Redacted(K1), status: 'primary' }]],
    ['a key as number[]', [{ id: 1, key: Array.from(testKey(0x41)), status: 'primary' }]],
    ['an unknown status', [{ id: 1, key: testKey(0x41), status: 'PRIMARY' }]],
    ['no primary', [{ id: 1, key: testKey(0x41) }]],
    [
      'two primaries',
      [
        { id: 1, key: testKey(0x41), status: 'primary' },
        { id: 2, key: testKey(0x42), status: 'primary' },
      ],
    ],
    [
      'a duplicate id (number and string)',
      [
        { id: 1, key: testKey(0x41), status: 'primary' },
        { id: '1', key: testKey(0x42) },
      ],
    ],
    [
      'a duplicate key',
      [
        { id: 1, key: testKey(0x41), status: 'primary' },
        { id: 2, key: testKey(0x41) },
      ],
    ],
    ['an all-zero key', [{ id: 1, key: new Uint8Array(32), status: 'primary' }]],
    [
      '65 keys',
      Array.from({ length: 65 }, (_, i) => ({
        id: i,
        key: new Uint8Array(32).fill(i + 1),
        status: i === 0 ? 'primary' : 'active',
      })),
    ],
  ];
  for (const [name, input] of hostile) {
    it(`refuses ${name} with INVALID_KEYRING`, () => {
      expectKeyringError(() => Keyring.fromKeys(input as never), [K1, K2]);
    });
  }
});

describe('a keyring never prints key material', () => {
  const keyring = Keyring.fromEnv(`*2:${K2},1:${K1},!0:${K3}`);
  it('in String, JSON and util.inspect', () => {
    for (const surface of [
      String(keyring),
      `${keyring}`,
      JSON.stringify(keyring),
      inspect(keyring),
      inspect({ keyring }, { depth: 5, showHidden: true }),
    ]) {
      for (const key of [K1, K2, K3]) expect(surface).not.toContain(key.slice(0, 10));
    }
    expect(String(keyring)).toBe('Keyring(*2, 1, !0)');
    expect(inspect(keyring)).toBe('Keyring(*2, 1, !0)');
    expect(Object.keys(keyring)).toEqual(['primaryKekId']);
  });

  it('is immutable', () => {
    expect(Object.isFrozen(keyring)).toBe(true);
  });
});

describe('generateKek and formatKekEntry', () => {
  it('makes distinct 32-byte Redacted keys', () => {
    const a = generateKek();
    const b = generateKek();
    expect(a.expose().length).toBe(32);
    expect(a.expose()).not.toEqual(b.expose());
    expect(String(a)).toBe('[REDACTED]');
    expect(JSON.stringify({ a })).toBe('{"a":"[REDACTED]"}');
  });

  it('formats entries Keyring.fromEnv reads back', () => {
    const primary = formatKekEntry({ id: 3, key: testKey(3), status: 'primary' });
    const active = formatKekEntry({ id: 'k2', key: new Redacted(testKey(0x42)) });
    const retired = formatKekEntry({ id: 1, key: testKey(0x41), status: 'retired' });
    expect(String(primary)).toBe('[REDACTED]');
    expect(primary.expose()).toBe(`*3:${K3}`);
    expect(active.expose()).toBe(`k2:${K2}`);
    expect(retired.expose()).toBe(`!1:${K1}`);
    const keyring = Keyring.fromEnv([primary, active, retired].map((e) => e.expose()).join(','));
    expect(keyring.list().map((k) => k.status)).toEqual(['primary', 'active', 'retired']);
  });

  it('generates the key when none is given', () => {
    const entry = formatKekEntry({ id: 9, status: 'primary' }).expose();
    expect(entry).toMatch(/^\*9:[A-Za-z0-9_-]{43}$/);
    expect(Keyring.fromEnv(entry).primaryKekId).toBe('9');
  });

  it('refuses bad ids, keys and statuses', () => {
    for (const bad of [
      { id: -1 },
      { id: 'a b' },
      { id: 1, key: new Uint8Array(31) },
      { id: 1, key: K1 },
      { id: 1, status: 'primray' },
      null,
      'id',
    ]) {
      const error = expectKeyringError(() => formatKekEntry(bad as never), [K1]);
      expect(isCofferError(error, 'INVALID_KEYRING')).toBe(true);
    }
  });
});

describe('placeholder keys', () => {
  // Every key coffer's own docs, examples, TSDoc or benchmarks have printed (see
  // docs/test/published-keys.test.ts, which finds them), and the all-zero key.
  const published = [0x00, 0x01, 0x02, 0x07, 0x09].map((byte) => new Uint8Array(32).fill(byte));

  it.each(published.map((key) => [toBase64Url(key), key] as const))(
    'refuses %s from env text and from bytes',
    (text, key) => {
      const fromEnv = expectKeyringError(() => Keyring.fromEnv(`*1:${text}`), [text]);
      expect(fromEnv.message).toContain('placeholder');
      expect(fromEnv.details).toEqual({ entry: 1, kekId: '1' });
      const fromKeys = expectKeyringError(
        () => Keyring.fromKeys([{ id: 'k', key, status: 'primary' }]),
        [text],
      );
      expect(fromKeys.message).toContain("printed in coffer's own documentation");
      // Also as a non-primary key next to a real one.
      expectKeyringError(() => Keyring.fromEnv(`*2:${K3},1:${text}`), [text, K3]);
    },
  );

  it('accepts keys that only resemble them', () => {
    const near = new Uint8Array(32).fill(1);
    near[31] = 2;
    expect(Keyring.fromKeys([{ id: 1, key: near, status: 'primary' }]).primaryKekId).toBe('1');
    expect(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]).primaryKekId).toBe(
      '1',
    );
  });
});

describe('Keyring.fromEnv with process.env values', () => {
  it('takes undefined (an unset variable) and says to set it, naming it when given', () => {
    const anonymous = expectKeyringError(() => Keyring.fromEnv(undefined));
    expect(anonymous.message).toContain(
      'is the environment variable (e.g. COFFER_MASTER_KEYS) set?',
    );
    const named = expectKeyringError(() =>
      Keyring.fromEnv(process.env.COFFER_TEST_NEVER_SET_1F3A, {
        variable: 'COFFER_TEST_NEVER_SET_1F3A',
      }),
    );
    expect(named.message).toMatch(/^COFFER_TEST_NEVER_SET_1F3A is not set\. Set it to /);
    expect(named.details).toEqual({ variable: 'COFFER_TEST_NEVER_SET_1F3A' });
  });

  it('names the variable in every other message too', () => {
    const variable = 'APP_KEYS';
    expect(expectKeyringError(() => Keyring.fromEnv('', { variable })).message).toMatch(
      /^APP_KEYS is empty; is APP_KEYS set\?/,
    );
    expect(
      expectKeyringError(() => Keyring.fromEnv(`*1:${K1},2:short`, { variable }), [K1]).message,
    ).toMatch(/^Entry 2 of APP_KEYS \(id "2"\) does not hold a key/);
    expect(expectKeyringError(() => Keyring.fromEnv(`*1:${K1},2:short`), [K1]).message).toMatch(
      /^Entry 2 of the keyring text/,
    );
  });

  it('recognises an unset variable converted with String()', () => {
    for (const text of ['undefined', ' null ']) {
      const error = expectKeyringError(() =>
        Keyring.fromEnv(text, { variable: 'COFFER_MASTER_KEYS' }),
      );
      expect(error.message).toContain('converted with String()');
      expect(error.message.startsWith('COFFER_MASTER_KEYS is the text')).toBe(true);
    }
  });

  it.each([
    ['a number', { variable: 42 }],
    ['a name with a space', { variable: 'MY KEYS' }],
    ['a name with an equals sign', { variable: 'X=1' }],
    ['an empty name', { variable: '' }],
    ['a string instead of options', 'COFFER_MASTER_KEYS'],
    ['null', null],
  ])('refuses options with %s as INVALID_INPUT', (_name, options) => {
    let caught: unknown;
    try {
      Keyring.fromEnv(`*1:${K1}`, options as never);
    } catch (error) {
      caught = error;
    }
    expect(isCofferError(caught, 'INVALID_INPUT')).toBe(true);
  });

  it('parses a set variable as before', () => {
    expect(Keyring.fromEnv(`*1:${K1}`, { variable: 'COFFER_MASTER_KEYS' }).primaryKekId).toBe('1');
    expect(Keyring.fromEnv(`*1:${K1}`, {}).primaryKekId).toBe('1');
  });
});
