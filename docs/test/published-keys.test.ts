// Every key-shaped literal coffer prints — in READMEs, guides, examples, TSDoc and benchmarks — is
// public, so a keyring must refuse it: a copied example must never seal real values. This scans the
// files people copy from for keyring keys (43 characters of base64url, alone or in a
// `<id>:<key>` entry), 32-byte keys written as `new Uint8Array(32)` / `.fill(n)`, and 64-hex
// `fromHex(…)` literals, and asserts `Keyring` refuses each. No doc may fall back to a fixed key.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex, isCofferError } from '@coffer/core';
import { Keyring } from '@coffer/envelope';
import { describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where people copy from. Tests and their fixtures are not: their keys never leave the repo. */
const ROOTS = ['README.md', 'docs', 'examples', 'bench', 'packages'];
const SKIP_DIRS = new Set(['node_modules', 'dist', '.blocks', 'results', 'test']);

function filesUnder(path: string): string[] {
  const full = join(repo, path);
  if (statSync(full).isFile()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(full, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) out.push(...filesUnder(join(path, entry.name)));
    } else if (/\.(md|ts|mts|js|mjs|cjs|json)$/.test(entry.name)) {
      out.push(join(path, entry.name));
    }
  }
  return out;
}

/** A key found in a file: where, what it looked like, and its 32 bytes (or the env text). */
interface Found {
  where: string;
  literal: string;
  envText?: string;
  bytes?: Uint8Array;
}

const BASE64URL_KEY = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;
const FILLED_KEY = /new Uint8Array\(32\)(?:\.fill\((0x[0-9a-fA-F]+|\d+)\))?/g;
const HEX_KEY = /fromHex\(\s*['"`]([0-9a-f]{64})['"`]\s*\)/g;

/** Key-shaped literals in `text` (exported shape for the scanner's own test below). */
function scan(text: string, file: string): Found[] {
  const found: Found[] = [];
  const lineOf = (index: number): number => text.slice(0, index).split('\n').length;
  for (const m of text.matchAll(BASE64URL_KEY)) {
    found.push({ where: `${file}:${lineOf(m.index)}`, literal: m[0], envText: `*1:${m[0]}` });
  }
  for (const m of text.matchAll(FILLED_KEY)) {
    const byte = m[1] === undefined ? 0 : Number(m[1]);
    found.push({
      where: `${file}:${lineOf(m.index)}`,
      literal: m[0],
      bytes: new Uint8Array(32).fill(byte),
    });
  }
  for (const m of text.matchAll(HEX_KEY)) {
    found.push({
      where: `${file}:${lineOf(m.index)}`,
      literal: m[0],
      bytes: fromHex(m[1] ?? ''),
    });
  }
  return found;
}

function refused(found: Found): boolean {
  try {
    if (found.envText !== undefined) Keyring.fromEnv(found.envText);
    else Keyring.fromKeys([{ id: 1, key: found.bytes ?? new Uint8Array(0), status: 'primary' }]);
  } catch (error) {
    return isCofferError(error, 'INVALID_KEYRING');
  }
  return false;
}

const files = ROOTS.flatMap(filesUnder).map((f) => relative(repo, join(repo, f)));
const found = files.flatMap((file) => scan(readFileSync(join(repo, file), 'utf8'), file));

describe('keys printed in our docs and examples', () => {
  it('the scanner finds each shape it looks for', () => {
    const sample = [
      "Keyring.fromEnv(process.env.X ?? '*1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE')",
      'key: new Uint8Array(32).fill(9), other: new Uint8Array(32)',
      "fromHex('0101010101010101010101010101010101010101010101010101010101010101')",
      'not a key: lp_live_01HX9Y6K7EJ4T2AB_AAECAwQFBgcICQoLDA_and_more (longer than 43)',
    ].join('\n');
    expect(scan(sample, 'sample').map((f) => f.literal)).toEqual([
      'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE',
      'new Uint8Array(32).fill(9)',
      'new Uint8Array(32)',
      "fromHex('0101010101010101010101010101010101010101010101010101010101010101')",
    ]);
    expect(files).toContain('docs/storing-third-party-tokens.md');
    expect(files).toContain('packages/envelope/src/keyring.ts');
    expect(files).toContain('examples/ingest-pii/README.md');
  });

  it('every one of them is refused by Keyring', () => {
    const accepted = found.filter((f) => !refused(f)).map((f) => `${f.where}: ${f.literal}`);
    expect(accepted).toEqual([]);
  });

  it('no doc falls back to a fixed key when COFFER_MASTER_KEYS is unset', () => {
    const fallbacks = files.filter((file) =>
      /COFFER_MASTER_KEYS\s*(\?\?|\|\|)\s*['"`]/.test(readFileSync(join(repo, file), 'utf8')),
    );
    expect(fallbacks).toEqual([]);
  });

  it('no doc converts an environment variable with String()', () => {
    const converted = files.filter((file) =>
      /String\(\s*process\.env\b/.test(readFileSync(join(repo, file), 'utf8')),
    );
    expect(converted).toEqual([]);
  });
});
