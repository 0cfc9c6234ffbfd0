// Part 2 of the demo: mint a partner API key, call a local HTTP endpoint with it, then stop it with
// the kill switch (503 KILL_SWITCH) and revoke it (401 REVOKED).
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ApiKeyStore,
  type ApiKeyVerifier,
  apiKeyErrorResponse,
  apiKeyScanPattern,
  authenticate,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  isWellFormedApiKey,
  requestIdOf,
} from '@coffer/api-keys';
import { countReads } from './counting-store.ts';
import { fact, ok, refused, step } from './narrate.ts';

/** A tiny partner API: GET /v1/whoami behind an API key, errors in the standard envelope. */
async function startPartnerApi(verifier: ApiKeyVerifier): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    authenticate(verifier, req).then(
      (key) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            organizationId: key.organizationId,
            keyId: key.keyId,
            scopes: key.scopes,
          }),
        );
      },
      (error: unknown) => {
        const { status, headers, body } = apiKeyErrorResponse(error, requestIdOf(req));
        res.writeHead(status, headers);
        res.end(JSON.stringify(body));
      },
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/whoami`, server };
}

async function call(url: string, key: string): Promise<string> {
  const res = await fetch(url, { headers: { 'x-api-key': key } });
  const body = (await res.json()) as { error?: { code: string; details?: { scope?: string } } };
  if (body.error === undefined) return `${res.status}`;
  const scope = body.error.details?.scope;
  return `${res.status} ${body.error.code}${scope === undefined ? '' : ` (scope: ${scope})`}`;
}

/**
 * The key with one character in the middle of its secret replaced by another base64url character:
 * still the shape of a key (a scanner's pattern matches it), but its CRC-32 no longer fits.
 */
function withOneSecretCharacterChanged(key: string): string {
  const at = key.length - 22; // the secret is the last 43 characters; this is inside it
  const replacement = key[at] === 'A' ? 'B' : 'A';
  return `${key.slice(0, at)}${replacement}${key.slice(at + 1)}`;
}

export async function apiKeyStory(store: ApiKeyStore): Promise<void> {
  const hasher = createBcryptHasher(); // bcrypt cost 12 in worker threads, as in production
  const counted = countReads(store); // the verifier's lookups, counted for step 2
  const verifier = createApiKeyVerifier({ store: counted.store, hasher });
  const manager = createApiKeyManager({
    store,
    hasher,
    onChange: (change) => verifier.invalidate(change),
  });
  const api = await startPartnerApi(verifier);
  try {
    step('Mint a partner API key');
    const minted = await manager.mint({
      organizationId: 'org_demo',
      env: 'test',
      name: 'Demo partner integration',
      scopes: ['events:read'],
    });
    const key = minted.key.expose();
    ok(`minted ${minted.start}_… (shown to the partner once; only its bcrypt hash is stored)`);
    const stored = await store.getKey(minted.keyId);
    fact(
      `stored: key_id=${minted.keyId}, hash=${stored?.secretHash.slice(0, 7)}… — the key itself is nowhere`,
    );
    fact(`logs see the minted key as ${String(minted.key)}`);

    step('Call the partner API with X-Api-Key');
    ok(`GET /v1/whoami → ${await call(api.url, key)}`);
    const typo = withOneSecretCharacterChanged(key);
    const readsBefore = counted.reads();
    const answer = await call(api.url, typo);
    const reads = counted.reads() - readsBefore;
    const shape = apiKeyScanPattern().test(typo);
    const checksum = isWellFormedApiKey(typo);
    refused(
      `with one character of the secret changed → ${answer}: the key ${shape ? 'still has the right shape' : 'lost its shape'}, its checksum ${checksum ? 'still matches' : 'does not match'}; store reads: ${reads}`,
    );

    step('Flip the kill switch, then revoke');
    await manager.kill(minted.keyId);
    refused(`killed → ${await call(api.url, key)}`);
    await manager.unkill(minted.keyId);
    ok(`un-killed → ${await call(api.url, key)}`);
    await manager.revoke(minted.keyId);
    refused(`revoked → ${await call(api.url, key)}`);
    const info = await manager.get(minted.keyId);
    fact(
      `the record stays for audit: status=${info.status}, revokedAt=${info.revokedAt?.toISOString()}`,
    );
  } finally {
    api.server.close();
    await hasher.close();
  }
}
