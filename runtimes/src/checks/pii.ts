// @coffer/pii: the committed hash vectors (every profile) reproduce byte for byte, one record at a
// time and as a batch; storage hashes are keyed with the vectors' test pepper.
import {
  google,
  hashUserData,
  hashUserDataBatch,
  meta,
  normalizeEmail,
  type PlatformProfile,
  pepperFromEnv,
  sha256ForPlatform,
  snap,
  storage,
  tiktok,
} from '@coffer/pii';
import type { CheckContext } from './check.ts';
import { equal, group, ok, throwsCode } from './check.ts';

const profiles: Record<string, PlatformProfile> = { meta, tiktok, google, snap, storage };

function profileOf(name: string): PlatformProfile {
  const profile = profiles[name];
  if (profile === undefined) throw new Error(`unknown profile ${name}`);
  return profile;
}

export const piiChecks = group('pii', [
  {
    name: 'every hash vector of every profile reproduces (hash-vectors-v1.json)',
    run: ({ fixture: { pii } }: CheckContext) => {
      ok(pii.vectors.length >= 40, 'the vector file is there');
      equal(
        [...new Set(pii.vectors.map((v) => v.profile))].sort(),
        Object.keys(profiles).sort(),
        'profiles covered',
      );
      const pepper = pepperFromEnv(pii.pepperEnv);
      for (const v of pii.vectors) {
        const result = hashUserData(v.input, {
          profile: profileOf(v.profile),
          ...v.options,
          ...(v.profile === 'storage' ? { pepper } : {}),
        });
        equal({ userData: result.userData, dropped: result.dropped }, v.expected, v.name);
      }
    },
  },
  {
    name: 'the batch API gives the same answers as one record at a time',
    run: ({ fixture: { pii } }: CheckContext) => {
      for (const profileName of ['meta', 'google']) {
        const vectors = pii.vectors.filter(
          (v) => v.profile === profileName && v.options.defaultCountry === undefined,
        );
        const results = hashUserDataBatch(
          vectors.map((v) => v.input),
          { profile: profileOf(profileName), keepIp: true, keepDeviceId: true },
        );
        equal(results.length, vectors.length, `${profileName} batch size`);
        results.forEach((r, i) => {
          ok(r.ok, `${profileName} batch record ${i} ok`);
          if (r.ok)
            equal(r.userData, vectors[i]?.expected.userData, `${profileName} batch record ${i}`);
        });
      }
    },
  },
  {
    name: 'e-mail normalization and platform hashing (the bench path)',
    run: () => {
      const email = normalizeEmail('  Joe@Example.COM ');
      ok(email.ok, 'normalizes');
      if (email.ok) {
        equal(
          sha256ForPlatform(email.value),
          '2481f36dfc515ca76451aaadf1399026942a01ee50c6d0a61988b43cef039bc2',
          'sha256 of joe@example.com',
        );
      }
      throwsCode(
        () => hashUserData({ email: 42 }, { profile: meta }),
        'INVALID_USER_DATA',
        'a number as e-mail',
      );
      throwsCode(
        () => hashUserData({ email: 'a@b.co' }, { profile: storage }),
        'INVALID_INPUT',
        'storage without a pepper',
      );
    },
  },
]);
