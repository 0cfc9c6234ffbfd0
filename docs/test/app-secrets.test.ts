// docs/app-secrets.md, read from the Markdown each time so it cannot drift: its `node -e`
// generator makes a value a random secret accepts, its worked webhook example is the first
// committed vector and verifies, and its naming-rule examples are what the code computes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLocalEnvSource,
  createSecretsClient,
  createWebhookSigner,
  defineSecrets,
  localEnvVariable,
  physicalName,
  secret,
} from '@coffer/secrets';
import { describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const doc = readFileSync(join(repo, 'docs/app-secrets.md'), 'utf8');

describe('docs/app-secrets.md', () => {
  it('the `node -e` generator prints a value a 32-byte random secret accepts', async () => {
    const line = /```sh\n\s*(node -e .+)\n/.exec(doc)?.[1];
    expect(line, 'a node -e line').toBeDefined();
    const code = /-e "([^"]+)"/.exec(line ?? '')?.[1] ?? '';
    const result = spawnSync('node', ['-e', code], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const value = result.stdout.trim();
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const app = defineSecrets({
      workspace: 'acme',
      project: 'shop',
      environment: 'development',
      surfaces: ['api'],
      secrets: { webhookSigning: secret.random({ consumers: ['api'] }) },
    });
    const api = await createSecretsClient(app, {
      surface: 'api',
      source: createLocalEnvSource({ env: { COFFER_SECRET_APP__WEBHOOK_SIGNING: value } }),
    });
    expect(api.secret('webhookSigning').current().value.expose()).toBe(value);
  });

  it('the worked webhook example is the first committed vector, and verifies', async () => {
    const fixture = JSON.parse(
      readFileSync(join(repo, 'packages/secrets/test/fixtures/webhook-signature-v1.json'), 'utf8'),
    ) as {
      vectors: Array<{
        header: string;
        payloadUtf8: string;
        versions: Array<{ storedText: string }>;
      }>;
    };
    const first = fixture.vectors[0];
    expect(doc).toContain(first?.header);
    expect(doc).toContain(`\`${first?.versions[0]?.storedText}\``);
    expect(doc).toContain(`\`${first?.payloadUtf8}\``);
    const key = first?.versions[0]?.storedText ?? '';
    const app = defineSecrets({
      workspace: 'acme',
      project: 'shop',
      environment: 'development',
      surfaces: ['api'],
      secrets: { hook: secret.static({ consumers: ['api'] }) },
    });
    const api = await createSecretsClient(app, {
      surface: 'api',
      source: createLocalEnvSource({
        env: { COFFER_SECRET_APP__HOOK: 'unused', COFFER_SECRET_APP__HOOK__V3: key },
      }),
    });
    const hooks = createWebhookSigner(api.secret('hook'), { now: () => 1_767_225_600_000 });
    await expect(hooks.verify(first?.payloadUtf8 ?? '', first?.header)).resolves.toMatchObject({
      ok: true,
      version: 3,
    });
  });

  it('the naming-rule and physical-name examples are what the code computes', () => {
    const examples = [...doc.matchAll(/^ *(\w+) \/ (\w+)(?:, v\d)? +→ {2}(COFFER_SECRET_\w+)$/gm)];
    expect(examples.length).toBe(2);
    for (const [, namespace, name, variable] of examples) {
      expect(variable?.replace(/__V\d+$/, '')).toBe(
        localEnvVariable({ namespace: namespace ?? '', name: name ?? '' }),
      );
    }
    expect(doc).toContain(
      physicalName({
        workspace: 'acme',
        project: 'shop',
        environment: 'production',
        namespace: 'billing',
        name: 'stripeApiKey',
      }),
    );
  });
});
