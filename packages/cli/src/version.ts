// The package version, read from package.json next to src/ and dist/ alike.
import { readFileSync } from 'node:fs';

/** The installed @coffer/cli version, e.g. `0.1.0`. */
export function cliVersion(): string {
  const manifest: unknown = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
  );
  const version = (manifest as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}
