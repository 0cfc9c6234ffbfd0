import { createHash } from 'node:crypto';
import { randomBytes } from '@coffer/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPepper,
  type FieldRule,
  google,
  hashUserData,
  hashUserDataBatch,
  hashUserDataStream,
  hmacForStorage,
  hmacHashedForStorage,
  isSha256Hex,
  meta,
  PII_FIELDS,
  type PlatformProfile,
  snap,
  storage,
  tiktok,
  userDataSchema,
} from '../src/index.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const pepper = createPepper({ current: 'v1', keys: { v1: randomBytes(32) } });
const PROFILES = [
  { profile: meta },
  { profile: tiktok },
  { profile: google },
  { profile: snap },
  { profile: storage, pepper },
] as const;

/** Every value a person could recognise, in the spellings that might leak. */
function spellings(value: string): string[] {
  const lower = value.trim().toLowerCase();
  const digits = value.replace(/\D/g, '');
  return [value, value.trim(), lower, ...(digits.length >= 6 ? [digits] : [])].filter(
    (s) => s.length >= 4,
  );
}

describe('hashUserData leaves no plaintext behind', () => {
  const pii = {
    email: 'Jane.Roe+ads@Example.org',
    phone: '+44 7700 900123',
    firstName: 'Janette',
    lastName: 'Roebuck',
    dateOfBirth: '1985-07-14',
    city: 'Manchester',
    state: 'Lancashire',
    zip: 'M1 1AE',
    externalId: 'crm-0042-xyz',
    ip: '198.51.100.23',
    deviceId: '38400000-8cf0-11bd-b23e-10b96e40000d',
  };

  it.each(PROFILES)('$profile.name: deep scan of the output for every input', (options) => {
    const out = JSON.stringify(hashUserData({ ...pii, country: 'GB', userAgent: 'UA' }, options));
    // Google sends city, state and postal code in clear by design: scan those only elsewhere.
    const inClear = options.profile === google ? ['city', 'state', 'zip'] : [];
    for (const [field, value] of Object.entries(pii)) {
      if (inClear.includes(field)) continue;
      for (const spelling of spellings(value))
        expect(out.toLowerCase()).not.toContain(spelling.toLowerCase());
    }
  });

  it('property: arbitrary e-mails and phones never appear in any profile output', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.stringMatching(/^\+[1-9]\d{9,12}$/), (email, phone) => {
        for (const options of PROFILES) {
          const out = JSON.stringify(hashUserData({ email, phone }, options)).toLowerCase();
          expect(out).not.toContain(email.toLowerCase());
          expect(out).not.toContain(phone.slice(1));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a kept IP must be an IP address; a kept device id must be an IDFA/GAID (UUID)', () => {
    const uuid = 'AEBE52E7-03EE-455A-B3C4-E57283966239';
    const keep = { keepIp: true, keepDeviceId: true } as const;
    for (const ip of ['198.51.100.23', '2001:DB8::1', '::ffff:198.51.100.23', ' 203.0.113.9 ']) {
      const { userData, dropped } = hashUserData({ ip }, { profile: meta, ...keep });
      expect(userData.client_ip_address, ip).toBe(
        ip.trim().includes(':') ? ip.trim().toLowerCase() : ip.trim(),
      );
      expect(dropped).toEqual([]);
    }
    for (const ip of [
      'joe@example.com',
      '999.1.1.1',
      '01.2.3.4',
      '1.2.3',
      'localhost',
      'x'.repeat(2000),
    ]) {
      const result = hashUserData({ ip }, { profile: meta, ...keep });
      expect(result.userData, ip.slice(0, 20)).toEqual({});
      expect(result.dropped[0]?.field).toBe('ip');
      expect(JSON.stringify(result)).not.toContain(ip.slice(0, 8));
    }
    expect(hashUserData({ deviceId: uuid }, { profile: meta, ...keep }).userData).toEqual({
      madid: uuid,
    });
    for (const deviceId of [
      'joe@example.com',
      'abc',
      `${uuid}0`,
      '00000000-0000-0000-0000-000000000000',
    ]) {
      const result = hashUserData({ deviceId }, { profile: meta, ...keep });
      expect(result.userData, deviceId).toEqual({});
      expect(result.dropped).toEqual([{ field: 'deviceId', reason: expect.any(String) }]);
    }
  });

  it('IP and device id are removed unless kept, and only where the platform takes them', () => {
    expect(hashUserData({ ip: '198.51.100.23' }, { profile: meta }).userData).toEqual({});
    expect(hashUserData({ ip: '198.51.100.23' }, { profile: meta, keepIp: true }).userData).toEqual(
      {
        client_ip_address: '198.51.100.23',
      },
    );
    expect(
      hashUserData({ ip: '198.51.100.23' }, { profile: google, keepIp: true }).userData,
    ).toEqual({});
    expect(hashUserData({ deviceId: 'abc' }, { profile: meta }).userData).toEqual({});
  });
});

describe('hex-looking plaintext is hashed, never passed through', () => {
  const H = sha('joe@example.com');
  const ab = 'ab'.repeat(16);
  // Each is plaintext whose normalized form (punctuation, invisible characters or spaces removed)
  // is 64 hex characters, or a near miss: none is a SHA-256 digest as received.
  const hostile = [
    `${ab}-${ab}`,
    `${H.slice(0, 32)}-${H.slice(32)}`,
    `${H.slice(0, 32)}\u200b${H.slice(32)}`,
    `${H.slice(0, 32)} ${H.slice(32)}`,
    `${H.slice(0, 32)}.${H.slice(32)}`,
    `\u00ad${H}`,
    `#${H}`,
    `${H}!`,
    `${H}\u0301`,
    `${H.slice(0, 63)}`,
    `${H}0`,
    `${H.slice(0, 63)}g`,
    `'${H}'`,
  ];
  const inClear: Record<string, readonly string[]> = {
    google: ['city', 'state', 'zip', 'country'],
  };

  it("the reviewer's cases", () => {
    const name = `${ab}-${ab}`;
    expect(hashUserData({ firstName: name }, { profile: meta }).userData.fn).toBe(
      sha(`${ab}${ab}`),
    );
    const zwsp = `${H.slice(0, 32)}\u200b${H.slice(32)}`;
    expect(hashUserData({ externalId: zwsp }, { profile: meta }).userData.external_id).toBe(sha(H));
    // externalId keeps its case: an upper-case 64-hex id is an id, hashed as written…
    expect(
      hashUserData({ externalId: H.toUpperCase() }, { profile: meta }).userData.external_id,
    ).toBe(sha(H.toUpperCase()));
    // …and a lower-case one is taken as already hashed, so the two never collide.
    expect(hashUserData({ externalId: H }, { profile: meta }).userData.external_id).toBe(H);
    // Other fields' digests pass through in any case, trimmed and lower-cased.
    expect(hashUserData({ email: ` ${H.toUpperCase()}\t` }, { profile: meta }).userData.em).toBe(H);
  });

  it.each(PROFILES)('$profile.name: deep scan, every field, every hostile input', (options) => {
    for (const field of PII_FIELDS) {
      const rule = options.profile.fields[field];
      if (rule === undefined || inClear[options.profile.name]?.includes(field)) continue;
      for (const input of hostile) {
        const out = JSON.stringify(
          hashUserData({ [field]: input }, options).userData,
        ).toLowerCase();
        const hex = input.toLowerCase().replace(/[^0-9a-f]/g, '');
        const needles = new Set([input.toLowerCase(), input.trim().toLowerCase(), hex]);
        for (let i = 0; i + 16 <= hex.length; i++) needles.add(hex.slice(i, i + 16));
        for (const needle of needles) {
          if (needle.length >= 8)
            expect(out, `${field} ${JSON.stringify(input)}`).not.toContain(needle);
        }
      }
    }
  });

  it('property: a value that is not exactly 64 hex once trimmed never reaches a platform in clear', () => {
    const hexChars = fc.constantFrom(...'0123456789abcdefABCDEF');
    const noise = fc.constantFrom('-', '.', ' ', '\u200b', '\u00ad', '_', ':', '\u0301', "'");
    const input = fc
      .tuple(
        fc.array(hexChars, { minLength: 60, maxLength: 70 }),
        fc.array(fc.tuple(fc.nat(70), noise), { minLength: 1, maxLength: 4 }),
      )
      .map(([chars, inserts]) => {
        const out = [...chars];
        for (const [at, ch] of inserts) out.splice(at % (out.length + 1), 0, ch);
        return out.join('');
      })
      .filter((s) => !/^[0-9a-fA-F]{64}$/.test(s.trim()));
    fc.assert(
      fc.property(input, fc.constantFrom(...PII_FIELDS), (value, field) => {
        for (const options of PROFILES) {
          if (inClear[options.profile.name]?.includes(field)) continue;
          const out = JSON.stringify(hashUserData({ [field]: value }, options)).toLowerCase();
          const hex = value.toLowerCase().replace(/[^0-9a-f]/g, '');
          for (let i = 0; i + 16 <= hex.length; i += 8) {
            expect(out).not.toContain(hex.slice(i, i + 16));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('hashUserData: inputs', () => {
  it('already-hashed values pass through lower-cased, not hashed twice', () => {
    expect(isSha256Hex(sha('x'))).toBe(true);
    const hashed = sha('joe@example.com');
    const { userData } = hashUserData({ email: ` ${hashed.toUpperCase()} ` }, { profile: meta });
    expect(userData.em).toBe(hashed);
    // Storage keys it anyway: a bare SHA-256 is as guessable as the address.
    const stored = hashUserData({ email: hashed }, { profile: storage, pepper }).userData.email;
    expect(stored).toBe(hmacHashedForStorage(hashed, pepper));
    expect(stored).toBe(hmacForStorage('joe@example.com', pepper));
    expect(stored).not.toContain(hashed);
    // 63 or 65 hex characters are not a hash: hashed as text (and invalid as an e-mail here).
    expect(
      hashUserData({ externalId: hashed.slice(1) }, { profile: meta }).userData.external_id,
    ).toBe(sha(hashed.slice(1)));
  });

  it.each([
    ['one character short', (h: string) => h.slice(1)],
    ['one character long', (h: string) => `${h}0`],
    ['a non-hex character', (h: string) => `${h.slice(0, 63)}g`],
    ['an inner space', (h: string) => `${h.slice(0, 32)} ${h.slice(32, 63)}`],
  ])('a hash that is %s is not passed through as a hash', (_, alter) => {
    const altered = alter(sha('user-42'));
    const { userData } = hashUserData({ externalId: altered }, { profile: meta });
    // Treated as text: normalized and hashed, so the altered string itself never appears.
    expect(userData.external_id).toMatch(/^[0-9a-f]{64}$/);
    expect(userData.external_id).not.toBe(altered.trim().toLowerCase());
    expect(userData.external_id).not.toBe(sha('user-42'));
  });

  it.each([
    ['emoji', { email: '🙂@🙂.🙂', firstName: '🙂', city: '🏙️' }],
    ['right-to-left text', { firstName: 'محمد', lastName: 'כהן', city: 'القاهرة' }],
    [
      'zero-width and bidi controls',
      { email: '\u200bjoe\u202e@example.com', firstName: '\u2066J\u200do' },
    ],
    ['only invisible characters', { email: '\u200b\u200c', firstName: '\ufeff', phone: '\u2060' }],
    ['lone surrogates', { email: '\ud800@example.com', firstName: '\udfff' }],
    ['empty strings', { email: '', phone: '', firstName: '', country: '' }],
  ])('hostile text (%s): no throw, every output field hashed or dropped', (_, record) => {
    for (const options of PROFILES) {
      const { userData, dropped } = hashUserData(record, options);
      for (const [key, value] of Object.entries(userData)) {
        if (options.profile === google && !key.startsWith('hashed_')) continue;
        expect(value, key).toMatch(/^(?:v1:)?[0-9a-f]{64}$/);
      }
      for (const d of dropped) expect(Object.keys(d).sort()).toEqual(['field', 'reason']);
      const out = JSON.stringify({ userData, dropped });
      for (const [field, value] of Object.entries(record)) {
        // Google takes city, state and postal code in clear by design.
        if (options.profile === google && ['city', 'state', 'zip'].includes(field)) continue;
        if (value.trim().length >= 2) expect(out).not.toContain(value);
      }
    }
  });

  it('inconsistent casing and whitespace give the same hashes', () => {
    const a = hashUserData({ email: 'joe@example.com', phone: '+16505551234' }, { profile: meta });
    const b = hashUserData(
      { email: '  JOE@Example.Com\t', phone: ' +1 650-555-1234 ' },
      { profile: meta },
    );
    expect(b).toEqual(a);
  });

  it('invalid fields are dropped and reported by reason, never by value', () => {
    const result = hashUserData(
      {
        email: 'not-an-email',
        phone: '12',
        dateOfBirth: '31/12/1990',
        gender: 'unknown',
        firstName: 'x'.repeat(2000),
        city: 'Paris',
      },
      { profile: meta },
    );
    expect(result.userData).toEqual({ ct: sha('paris') });
    expect(result.dropped).toEqual([
      { field: 'email', reason: 'invalid_format' },
      { field: 'phone', reason: 'invalid_format' },
      { field: 'firstName', reason: 'too_long' },
      { field: 'dateOfBirth', reason: 'invalid_format' },
      { field: 'gender', reason: 'invalid_format' },
    ]);
    expect(JSON.stringify(result)).not.toContain('not-an-email');
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['an array', [{ email: 'a@b.co' }]],
    ['a string', 'joe@example.com'],
    ['a number field', { email: 12345 }],
    ['an object field', { phone: { number: '1' } }],
  ])('refuses %s with INVALID_USER_DATA, naming paths not values', (_, record) => {
    try {
      hashUserData(record, { profile: meta });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_USER_DATA', status: 400 });
      expect(JSON.stringify(error)).not.toContain('joe@example.com');
      expect(JSON.stringify(error)).not.toContain('12345');
    }
  });

  it("a record's invalid country is dropped and does not override a valid defaultCountry", () => {
    const { userData, dropped } = hashUserData(
      { phone: '06 12 34 56 78', country: 'ZZ' },
      { profile: tiktok, defaultCountry: 'FR' },
    );
    expect(userData.phone).toBe(sha('+33612345678'));
    expect(dropped).toEqual([]); // TikTok takes no country field, so none is reported for it
    const forMeta = hashUserData(
      { phone: '06 12 34 56 78', country: 'ZZ' },
      { profile: meta, defaultCountry: 'FR' },
    );
    expect(forMeta.userData.ph).toBe(sha('33612345678'));
    expect(forMeta.dropped).toEqual([{ field: 'country', reason: 'invalid_format' }]);
  });

  it('unknown fields are dropped, not forwarded', () => {
    expect(
      hashUserData({ email: 'a@b.co', password: 'hunter2' } as never, { profile: meta }).userData,
    ).toEqual({
      em: sha('a@b.co'),
    });
  });

  it('storage is recognised by a property only this package sets, not by its name', () => {
    // Renamed, it is still the storage profile: it needs a pepper and keys with it.
    expect(() =>
      hashUserData({ email: 'a@b.co' }, { profile: { ...storage, name: 'db' } }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    const renamed = hashUserData(
      { email: 'a@b.co' },
      { profile: { ...storage, name: 'db' }, pepper },
    );
    expect(renamed.userData.email).toBe(hmacForStorage('a@b.co', pepper));
    // A platform profile named "storage" is still a platform profile: plain SHA-256, no pepper.
    expect(
      hashUserData({ email: 'a@b.co' }, { profile: { ...meta, name: 'storage' } }).userData.em,
    ).toBe(sha('a@b.co'));
  });

  it.each([
    ['pepper: null', { profile: storage, pepper: null }],
    ['a pepper-shaped object', { profile: storage, pepper: { current: 'v1', versions: ['v1'] } }],
    ['pepper: null with a platform', { profile: meta, pepper: null }],
    ['keepIp: "yes"', { profile: meta, keepIp: 'yes' }],
    ['a profile without fields', { profile: { name: 'x' } }],
    ['null options', null],
  ])('refuses %s with INVALID_INPUT up front, batch and stream included', async (_, options) => {
    expect(() => hashUserData({}, options as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => hashUserDataBatch([{ email: 'a@b.co' }], options as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    await expect(
      hashUserDataStream([{ email: 'a@b.co' }], options as never).next(),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('options are checked: a profile is required; peppers go with storage only', () => {
    expect(() => hashUserData({}, {} as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => hashUserData({}, { profile: storage })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => hashUserData({}, { profile: meta, pepper })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    // Exactly an ISO alpha-2 code: a record's country may be a name, the option may not.
    for (const defaultCountry of [
      'Atlantis',
      'x',
      42,
      '',
      'ZZ',
      'United States',
      'USA',
      'u.s.',
      'Deutschland',
      'UK',
      'G B',
    ]) {
      expect(() => hashUserData({}, { profile: tiktok, defaultCountry } as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
    expect(hashUserData({}, { profile: tiktok, defaultCountry: ' gb ' }).dropped).toEqual([]);
    expect(
      hashUserData({ phone: '07911 123456' }, { profile: tiktok, defaultCountry: 'GB' }).userData
        .phone,
    ).toBe(sha('+447911123456'));
    // A record's own country may be written as a name.
    expect(
      hashUserData({ phone: '07911 123456', country: 'United Kingdom' }, { profile: tiktok })
        .userData.phone,
    ).toBe(sha('+447911123456'));
  });

  it('a 10 MB field costs no more than a short one and is reported too_long', () => {
    const huge = `${'a'.repeat(10 * 1024 * 1024)}@example.com`;
    expect(hashUserData({ email: huge, phone: '+16505551234' }, { profile: meta }).dropped).toEqual(
      [{ field: 'email', reason: 'too_long' }],
    );
  });

  it('IP, user agent and device id are capped as received, before trimming, like every field', () => {
    const spaces = ' '.repeat(10 * 1024 * 1024);
    const keep = { profile: meta, keepIp: true, keepDeviceId: true } as const;
    const uuid = 'aebe52e7-03ee-455a-b3c4-e57283966239';
    expect(
      hashUserData(
        { ip: `${spaces}1.2.3.4`, userAgent: `${spaces}UA`, deviceId: `${uuid}${spaces}` },
        keep,
      ).dropped,
    ).toEqual([
      { field: 'ip', reason: 'too_long' },
      { field: 'userAgent', reason: 'too_long' },
      { field: 'deviceId', reason: 'too_long' },
    ]);
    // The cap counts what was received: 1,000 characters with 30 spaces on each side are too long.
    const padded = `${' '.repeat(30)}${'a'.repeat(1000)}${' '.repeat(30)}`;
    expect(hashUserData({ userAgent: padded }, keep).dropped).toEqual([
      { field: 'userAgent', reason: 'too_long' },
    ]);
    expect(hashUserData({ userAgent: ` ${'a'.repeat(1022)} ` }, keep).userData).toEqual({
      client_user_agent: 'a'.repeat(1022),
    });
  });
});

describe('custom and malformed profiles', () => {
  const record = { email: 'joe@example.com', ip: '203.0.113.9', userAgent: 'joe@example.com' };
  const invalid = (part: string) =>
    expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining(part) });

  it.each([
    // The reviewer's cases: each used to leak a value in clear or crash with a TypeError.
    ['no name, no ipKey', { fields: {} }, 'options.profile.name'],
    ['no ipKey', { name: 'x', fields: {}, sources: [] }, 'options.profile.ipKey'],
    [
      'no userAgentKey',
      { name: 'x', fields: {}, ipKey: null, deviceId: null, sources: [] },
      'options.profile.userAgentKey',
    ],
    [
      'no deviceId rule',
      { name: 'x', fields: {}, ipKey: null, userAgentKey: null, sources: [] },
      'options.profile.deviceId',
    ],
    [
      'a rule without normalize',
      { ...meta, fields: { email: { key: 'em', hashed: true, rule: 'x' } } },
      'options.profile.fields.email.normalize',
    ],
    [
      'a rule whose hashed is not a boolean',
      { ...meta, fields: { email: { ...meta.fields.email, hashed: 'yes' } } },
      'options.profile.fields.email.hashed',
    ],
    [
      'an unknown field',
      { ...meta, fields: { ...meta.fields, password: meta.fields.email } },
      'options.profile.fields',
    ],
    [
      'a key that is not a parameter name',
      { ...meta, fields: { email: { ...meta.fields.email, key: '__proto__' } } },
      'options.profile.fields.email.key',
    ],
    ['two outputs under one key', { ...meta, ipKey: 'em' }, 'two outputs under one key'],
    [
      'a keyed (storage) copy that keeps a field in clear',
      { ...storage, fields: { email: { ...storage.fields.email, hashed: false } } },
      'is keyed',
    ],
    ['an array', [], 'options.profile'],
    ['sources not an array', { ...meta, sources: 'x' }, 'options.profile.sources'],
  ])('refuses %s with INVALID_INPUT naming the bad part', (_, profile, part) => {
    const options = { profile, keepIp: true, keepDeviceId: true, pepper } as never;
    expect(() => hashUserData(record, options)).toThrow(invalid(part));
    expect(() => hashUserDataBatch([record], options)).toThrow(invalid(part));
    try {
      hashUserData(record, options);
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain('joe@example.com');
    }
  });

  it("a custom rule's results are checked: anything but a Normalized or a string is INVALID_INPUT", () => {
    const broken = { ...meta, fields: { email: { ...meta.fields.email, normalize: () => 'x' } } };
    expect(() => hashUserData(record, { profile: broken as never })).toThrow(
      invalid('options.profile.fields.email.normalize'),
    );
    const reason = {
      ...meta,
      fields: { email: { ...meta.fields.email, normalize: () => ({ ok: false, reason: 'joe' }) } },
    };
    expect(() => hashUserData(record, { profile: reason as never })).toThrow(
      invalid('options.profile.fields.email.normalize'),
    );
    const format = { ...meta, fields: { email: { ...meta.fields.email, format: () => 42 } } };
    expect(() => hashUserData(record, { profile: format as never })).toThrow(
      invalid('options.profile.fields.email.format'),
    );
  });

  it('a well-formed custom profile works: a spread of a built-in one with its own key', () => {
    const email = meta.fields.email as FieldRule;
    const custom: PlatformProfile = {
      ...meta,
      name: 'crm',
      fields: { email: { ...email, key: 'email_sha256' } },
      ipKey: null,
    };
    expect(hashUserData(record, { profile: custom, keepIp: true })).toEqual({
      userData: { email_sha256: sha('joe@example.com'), client_user_agent: 'joe@example.com' },
      dropped: [],
    });
  });

  it('a profile is read once per call: a getter cannot swap the table after the check', () => {
    let reads = 0;
    const sneaky = {
      ...meta,
      get fields() {
        reads += 1;
        return reads === 1 ? meta.fields : { email: { key: 'em', hashed: false } };
      },
    };
    expect(
      hashUserData({ email: 'joe@example.com' }, { profile: sneaky as never }).userData.em,
    ).toBe(sha('joe@example.com'));
    expect(reads).toBe(1);
  });

  it('the built-in profiles are frozen, so they cannot be changed after their check', () => {
    for (const profile of [meta, tiktok, google, snap, storage]) {
      expect(Object.isFrozen(profile), profile.name).toBe(true);
      expect(Object.isFrozen(profile.fields), profile.name).toBe(true);
      for (const rule of Object.values(profile.fields)) expect(Object.isFrozen(rule)).toBe(true);
      expect(() => {
        (profile.fields as Record<string, unknown>).email = undefined;
      }).toThrow(TypeError);
    }
  });
});

describe('batch and stream', () => {
  const records: unknown[] = [
    { email: 'a@example.com' },
    { email: 42 },
    null,
    { phone: '+1 650 555 1234', email: 'not-an-email' },
    { email: 'b@example.com' },
  ];

  it('a bad record does not stop the batch; results keep their index', () => {
    const results = hashUserDataBatch(records, { profile: meta });
    expect(results.map((r) => [r.index, r.ok])).toEqual([
      [0, true],
      [1, false],
      [2, false],
      [3, true],
      [4, true],
    ]);
    const failed = results[1];
    expect(failed?.ok === false && failed.error.code).toBe('INVALID_USER_DATA');
    const partial = results[3];
    expect(partial?.ok === true && partial.dropped).toEqual([
      { field: 'email', reason: 'invalid_format' },
    ]);
    expect(JSON.stringify(results)).not.toContain('a@example.com');
  });

  it('streams from an async iterable in order', async () => {
    async function* source() {
      for (const record of records) {
        await new Promise((r) => setTimeout(r, 1));
        yield record;
      }
    }
    const out = [];
    for await (const result of hashUserDataStream(source(), { profile: tiktok })) out.push(result);
    expect(out.map((r) => r.ok)).toEqual([true, false, false, true, true]);
    expect(out.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it.each([
    ['an object', {}],
    ['a string', 'records'],
    ['null', null],
  ])('records that are %s are INVALID_INPUT, not an empty or odd result', async (_, records) => {
    expect(() => hashUserDataBatch(records as never, { profile: meta })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    if (typeof records !== 'string') {
      await expect(
        hashUserDataStream(records as never, { profile: meta }).next(),
      ).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
    }
  });

  it('bad options fail once, up front', async () => {
    expect(() => hashUserDataBatch(records, { profile: storage })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    await expect(hashUserDataStream(records, { profile: storage }).next()).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});

describe('the schema fast path agrees with zod', () => {
  const field = fc.option(
    fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null), fc.constant([])),
    { nil: undefined },
  );
  it('property: parse result or refusal, as userDataSchema decides', () => {
    fc.assert(
      fc.property(
        fc.record({ email: field, phone: field, country: field, ip: field, extra: field }),
        (record) => {
          const zod = userDataSchema.safeParse(record);
          if (zod.success) {
            const out = hashUserData(record, { profile: storage, pepper });
            const expected = hashUserData({ ...zod.data }, { profile: storage, pepper });
            expect(out).toEqual(expected);
          } else {
            expect(() => hashUserData(record, { profile: meta })).toThrow(
              expect.objectContaining({ code: 'INVALID_USER_DATA' }),
            );
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
