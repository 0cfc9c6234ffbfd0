// @coffer/api-keys: the format, the bcrypt hasher as this runtime runs it (worker threads or inline),
// and verification of keys Node minted; a key minted here goes back to Node (driver's interop).
import {
  apiKeyScanPattern,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
  isWellFormedApiKey,
  parseApiKey,
} from '@coffer/api-keys';
import { verifierForNodeKeys } from './api-keys-setup.ts';
import type { CheckContext } from './check.ts';
import { equal, group, ok, rejectsCode, throwsCode } from './check.ts';

const alter = (key: string): string => `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;

export const apiKeysChecks = group('api-keys', [
  {
    name: 'parses keys minted on Node; an altered character fails the checksum; the scanner finds them',
    run: ({ fixture: { apiKeys: f } }: CheckContext) => {
      const parsed = parseApiKey(f.keys.valid);
      equal(parsed?.env, 'live', 'env');
      equal(parsed?.keyId, f.records[0]?.keyId, 'keyId');
      ok(!isWellFormedApiKey(alter(f.keys.valid)), 'altered key is not well-formed');
      ok(!isWellFormedApiKey(`${f.keys.valid} `), 'trailing space is not well-formed');
      const found = `log line: token=${f.keys.valid}; other=${f.keys.revoked}.`.match(
        apiKeyScanPattern(),
      );
      equal(found, [f.keys.valid, f.keys.revoked], 'scanner matches');
    },
  },
  {
    name: 'the bcrypt hasher: worker threads where the runtime has them, inline (and threads > 0 refused) where not',
    run: async (ctx: CheckContext) => {
      const key = ctx.fixture.apiKeys.keys.valid;
      if (ctx.expect.workerThreads) {
        const pooled = createBcryptHasher({ cost: 4, threads: 2 });
        try {
          const hashes = await Promise.all([pooled.hash(key), pooled.hash(key), pooled.hash(key)]);
          for (const hash of hashes) ok(await pooled.verify(key, hash), 'pooled hash verifies');
          ok(!(await pooled.verify(alter(key), hashes[0] ?? '')), 'wrong key refused');
        } finally {
          await pooled.close();
        }
        await rejectsCode(pooled.hash(key), 'HASHER_CLOSED', 'closed pool');
      } else {
        throwsCode(
          () => createBcryptHasher({ cost: 4, threads: 2 }),
          'INVALID_INPUT',
          'threads: 2 without worker threads',
        );
      }
      const inline = createBcryptHasher({ cost: 4, threads: 0 });
      const hash = await inline.hash(key);
      ok(/^\$2b\$04\$/.test(hash), 'standard $2b$ hash');
      ok(await inline.verify(key, hash), 'inline verifies');
      const stored = ctx.fixture.apiKeys.records[0]?.secretHash ?? '';
      ok(await inline.verify(key, stored), "verifies Node's stored hash");
      await inline.close();
    },
  },
  {
    name: 'verifies keys minted on Node: valid, scoped, revoked, killed, killed organization, unknown',
    run: async ({ fixture }: CheckContext) => {
      const f = fixture.apiKeys;
      const { verifier, hasher, store } = await verifierForNodeKeys(fixture);
      try {
        const verified = await verifier.verify(f.keys.valid, { requiredScopes: ['events:read'] });
        equal(
          [verified.organizationId, verified.env, [...verified.scopes]],
          [f.validOrganizationId, 'live', [...f.validScopes]],
          'verified key',
        );
        // Again: from the verified-key cache this time.
        equal((await verifier.verify(f.keys.valid)).keyId, verified.keyId, 'cached verify');
        await rejectsCode(
          verifier.verify(f.keys.valid, { requiredScopes: ['admin'] }),
          'FORBIDDEN_SCOPE',
          'missing scope',
        );
        await rejectsCode(verifier.verify(f.keys.revoked), 'REVOKED', 'revoked key');
        await rejectsCode(verifier.verify(f.keys.killed), 'KILL_SWITCH', 'killed key');
        await rejectsCode(
          verifier.verify(f.keys.inKilledOrganization),
          'KILL_SWITCH',
          'killed organization',
        );
        await rejectsCode(verifier.verify(alter(f.keys.valid)), 'UNAUTHENTICATED', 'altered key');
        await rejectsCode(verifier.verify('lp_live_nope'), 'UNAUTHENTICATED', 'malformed key');
        // A well-formed key nobody stored: compared against the dummy hash, then refused.
        const other = createApiKeyManager({ store: createMemoryApiKeyStore(), hasher });
        const stranger = await other.mint({ organizationId: 'org_x', env: 'live', name: 'x' });
        await rejectsCode(
          verifier.verify(stranger.key.expose()),
          'UNAUTHENTICATED',
          'unknown key_id',
        );
        // The global switch, set through a manager on the same store, applies at once.
        const manager = createApiKeyManager({
          store,
          hasher,
          onChange: (c) => verifier.invalidate(c),
        });
        await manager.setGlobalKillSwitch(true);
        await rejectsCode(verifier.verify(f.keys.valid), 'KILL_SWITCH', 'global kill switch');
      } finally {
        await hasher.close();
      }
    },
  },
  {
    name: 'mints a key here, for Node to verify',
    run: async (ctx: CheckContext) => {
      const store = createMemoryApiKeyStore();
      const hasher = createBcryptHasher({ cost: 4, threads: 0 });
      const manager = createApiKeyManager({ store, hasher });
      const minted = await manager.mint({
        organizationId: 'org_runtime',
        env: 'test',
        name: ctx.target,
        scopes: ['events:read'],
      });
      const verifier = createApiKeyVerifier({ store, hasher });
      equal(
        (await verifier.verify(minted.key.expose())).organizationId,
        'org_runtime',
        'verifies here',
      );
      ctx.output('apiKeys.mintedHere', {
        key: minted.key.expose(),
        record: await store.getKey(minted.keyId),
      });
      await hasher.close();
    },
  },
]);
