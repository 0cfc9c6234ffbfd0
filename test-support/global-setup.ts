import type { TestProject } from 'vitest/node';
import { startTestPostgres } from './postgres-server.ts';

/**
 * Runs once before the suite: makes sure a PostgreSQL server answers (the one at
 * COFFER_TEST_PG_URL, or 127.0.0.1:5432, or an embedded one started here) and hands its URL to the
 * test workers through the environment.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTestPostgres();
  process.env.COFFER_TEST_PG_URL = server.url;
  project.provide('pgUrl', server.url);
  return async () => {
    await server.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}
