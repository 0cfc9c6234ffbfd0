// The README shows the two conformance test files as "the proof": they must be exactly these
// files, apart from the import path (relative to the README there, to test/ here).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const example = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (name: string) => readFileSync(join(example, name), 'utf8');

it('the README blocks are the conformance test files, word for word', () => {
  const blocks = [...read('README.md').matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) =>
    (m[1] ?? '').replaceAll("from './src/", "from '../src/"),
  );
  expect(blocks).toEqual([
    read('test/vault-store-conformance.test.ts'),
    read('test/api-key-store-conformance.test.ts'),
  ]);
});
