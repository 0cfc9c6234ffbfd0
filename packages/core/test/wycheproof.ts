// Reads Wycheproof vector files from COFFER_VECTORS_DIR (default: ../shared/vectors/wycheproof
// beside the checkout). They are not copied into the repository.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [field: string]: unknown;
}
export interface WycheproofGroup {
  keySize?: number;
  ivSize?: number;
  tagSize?: number;
  tests: WycheproofTest[];
}
export interface WycheproofFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: WycheproofGroup[];
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const vectorsDir: string =
  process.env.COFFER_VECTORS_DIR ?? resolve(repoRoot, '../shared/vectors/wycheproof');

let announced = false;

/** Loads one Wycheproof file, or returns undefined (saying so once) when the folder is absent. */
export function loadWycheproof(file: string): WycheproofFile | undefined {
  const path = resolve(vectorsDir, file);
  if (!existsSync(path)) {
    if (!announced) {
      announced = true;
      console.warn(
        `Wycheproof vectors not found in ${vectorsDir} (set COFFER_VECTORS_DIR); running the written-in vectors only.`,
      );
    }
    return undefined;
  }
  return JSON.parse(readFileSync(path, 'utf8')) as WycheproofFile;
}

export function hex(value: unknown): Uint8Array {
  if (typeof value !== 'string') throw new Error('vector field is not a hex string');
  return Uint8Array.from(Buffer.from(value, 'hex'));
}
