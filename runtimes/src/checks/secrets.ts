// @coffer/secrets in this runtime: physical names equal Node's, a declared secret read from a
// Cloudflare Secrets Store binding (in workerd the real binding miniflare provides, seeded by Node
// through miniflare's admin API; elsewhere a binding-shaped object), and webhook / JWT / cookie
// signatures that cross between Node and the runtime in both directions, across a rotation.
import { physicalName } from '@coffer/secrets';
import type { CheckContext } from './check.ts';
import { equal, group, ok } from './check.ts';
import {
  bindingsFor,
  type SignedSamples,
  secretsApp,
  signersOver,
  signSamples,
} from './secrets-setup.ts';

/** The env to read: workerd's real bindings, or binding-shaped objects holding the same values. */
function envOf({ target, bindings, fixture }: CheckContext): Readonly<Record<string, unknown>> {
  if (target === 'workerd') {
    ok(bindings !== undefined, 'workerd passes its env to the checks');
    const binding = bindings?.[fixture.secrets.binding];
    // A real Secrets Store binding is a service stub, not the plain object bindingShaped() makes.
    ok(
      typeof binding === 'object' && binding !== null && Object.keys(binding).length === 0,
      `workerd has a Secrets Store binding named ${fixture.secrets.binding}`,
    );
    return bindings ?? {};
  }
  return bindingsFor(fixture.secrets.versions);
}

export const secretsChecks = group('secrets', [
  {
    name: 'physical names match the committed vectors and Node',
    run: ({ fixture }: CheckContext) => {
      for (const v of fixture.secrets.physicalNames) {
        equal(physicalName(v.fields), v.physicalName, `physical name of ${v.fields.name}`);
      }
      equal(secretsApp().secrets[0]?.ref.physicalName, fixture.secrets.binding, 'binding name');
    },
  },
  {
    name: 'a declared secret is read from its Secrets Store binding, versions by __V<n>',
    run: async (ctx: CheckContext) => {
      const { key } = await signersOver(envOf(ctx));
      const [v1, v2] = ctx.fixture.secrets.versions;
      equal(key.current().version, 2, 'current version');
      equal(
        key.verifying().map((v) => [v.version, v.value.expose()]),
        [
          [2, v2?.text],
          [1, v1?.text],
        ],
        'accepted versions and their values',
      );
      equal((await key.version(1)).value.expose(), v1?.text, 'version(1)');
    },
  },
  {
    name: "verifies Node's version-1 webhook header, JWT and cookie after the rotation",
    run: async (ctx: CheckContext) => {
      const signers = await signersOver(envOf(ctx));
      const node = ctx.fixture.secrets.signedOnNodeV1;
      equal(
        await signers.webhook.verify(node.payload, node.header),
        { ok: true, version: 1, timestamp: Number(/t=(\d+)/.exec(node.header)?.[1]) },
        'webhook header',
      );
      const jwt = await signers.jwt.verify(node.jwt);
      equal(
        [jwt.ok, jwt.ok && jwt.version, jwt.ok && jwt.payload.sub],
        [true, 1, 'interop'],
        'JWT',
      );
      const cookie = signers.cookie.verify(node.cookie);
      equal([cookie.ok, cookie.ok && cookie.value], [true, node.payload], 'cookie');
      const tampered = await signers.webhook.verify(`${node.payload} `, node.header);
      equal(tampered.ok ? 'ok' : tampered.reason, 'mismatch', 'a changed body');
    },
  },
  {
    name: 'signs with version 2 for Node to verify',
    run: async (ctx: CheckContext) => {
      const signed: SignedSamples = await signSamples(
        await signersOver(envOf(ctx)),
        `{"event":"order.paid","from":"${ctx.target}"}`,
      );
      ok(signed.header.includes(',kid=2,'), 'the header names version 2');
      ctx.output('secrets.signedHere', signed);
    },
  },
]);
