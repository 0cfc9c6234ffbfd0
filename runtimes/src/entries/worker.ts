// The Cloudflare Worker: `POST /__checks` runs the shared checks inside workerd and answers the
// report; every other request goes to the Hono partner API (honoApiKeyAuth in a Worker's fetch).
// Nothing is created at global scope: workerd forbids random values there, and the verifier draws
// its cache salt, so the app is built on the first request and reused by the isolate.
import type { Hono } from 'hono';
import { runBench } from '../bench/bench-cases.ts';
import { verifierForNodeKeys } from '../checks/api-keys-setup.ts';
import { runGroups, type TargetExpectations } from '../checks/check.ts';
import { partnerApp } from '../checks/hono.ts';
import { sharedGroups } from '../checks/index.ts';
import type { InteropFixture } from '../fixture.ts';

/** The bindings the driver gives the Worker (JSON bindings in miniflare). */
interface Env {
  readonly FIXTURE: InteropFixture;
  readonly TARGET: string;
  readonly EXPECT: TargetExpectations;
}

let app: Promise<Hono> | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/__bench') {
      const rounds = Number(url.searchParams.get('rounds'));
      const roundMs = Number(url.searchParams.get('roundMs'));
      return Response.json(await runBench(env.TARGET, { rounds, roundMs }));
    }
    if (url.pathname === '/__checks') {
      const report = await runGroups(
        sharedGroups,
        { target: env.TARGET, expect: env.EXPECT, fixture: env.FIXTURE },
        `workerd (${(globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent})`,
      );
      return Response.json(report);
    }
    // Cost 10 (Node's keys are cost 4): the verifier's dummy hash, made in the first request,
    // is slow enough that a later request still needs it — the case a Worker must survive.
    app ??= verifierForNodeKeys(env.FIXTURE, 10).then(
      ({ verifier }) => partnerApp(verifier) as unknown as Hono,
    );
    return (await app).fetch(request);
  },
};
