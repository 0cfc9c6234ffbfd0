// Keys coffer itself has printed — in READMEs, guides, examples, TSDoc and benchmarks — as
// `new Uint8Array(32).fill(n)` or its base64url (`*1:AQEBAQEB…`, `AgICAgIC…`). Anyone can read
// them, so a keyring refuses them, as it refuses the all-zero key: a copied example must never
// end up sealing real values. docs/test/published-keys.test.ts scans the docs, examples and TSDoc
// for key-shaped literals and fails if one of them is not refused here.
//
// Not listed: the keys of the format's known-answer vectors (test/fixtures/format-v1.json, bytes
// 0x11, 0x22, 0x33), which only tests load and which must keep opening in every future version.
import { constantTimeEqual } from '@coffer/core';

const KEY_LENGTH = 32;
const PUBLISHED_FILL_BYTES = [0x00, 0x01, 0x02, 0x07, 0x09];
const PUBLISHED: ReadonlyArray<Uint8Array> = PUBLISHED_FILL_BYTES.map((byte) =>
  new Uint8Array(KEY_LENGTH).fill(byte),
);

/** @internal Whether `key` is one of the keys coffer's own documentation has printed. */
export function isPublishedKey(key: Uint8Array): boolean {
  let published = false;
  for (const known of PUBLISHED) published = constantTimeEqual(key, known) || published;
  return published;
}
