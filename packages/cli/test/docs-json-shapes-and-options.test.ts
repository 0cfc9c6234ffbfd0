// docs/cli.md against the commands, beyond the examples (docs.test.ts): every option of every
// command is named in the guide and every option the guide names exists, and each JSON shape the
// guide writes out (`{ ok, database, … }`) has exactly the keys the real binary prints, nested
// objects and array items included. Before, a renamed field or an option left out of the guide
// (--pepper-version was) drifted silently.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands/index.ts';
import { GLOBAL_OPTIONS } from '../src/help.ts';
import { runCli, tempDir } from './support/cli.ts';
import { kekEntry, keyringText, seedVault } from './support/vault-data.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const guide = readFileSync(join(repo, 'docs', 'cli.md'), 'utf8');
const temp = tempDir('docs-shapes');
afterAll(() => temp.remove());

/** A documented JSON shape: an object's keys (with nested shapes or literal values), or an array. */
type Shape =
  | { readonly kind: 'object'; readonly fields: ReadonlyMap<string, Shape | string | null> }
  | { readonly kind: 'array'; readonly item: Shape };

/** Parses the guide's notation: `{ a, b: { c }, d: [{ e }], event: "summary" }`. */
function parseShape(text: string): Shape {
  const tokens = text.match(/"[^"]*"|[{}[\],:]|[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
  let at = 0;
  const take = (expected?: string): string => {
    const token = tokens[at++];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new Error(`bad shape near token ${at} of ${text}`);
    }
    return token;
  };
  const node = (): Shape => {
    if (tokens[at] === '[') {
      take('[');
      const item = node();
      take(']');
      return { kind: 'array', item };
    }
    take('{');
    const fields = new Map<string, Shape | string | null>();
    while (tokens[at] !== '}') {
      const name = take();
      if (tokens[at] === ':') {
        take(':');
        const next = tokens[at] ?? '';
        fields.set(name, next.startsWith('"') ? JSON.parse(take()) : node());
      } else {
        fields.set(name, null);
      }
      if (tokens[at] === ',') take(',');
    }
    take('}');
    return { kind: 'object', fields };
  };
  const shape = node();
  if (at !== tokens.length) throw new Error(`trailing tokens in ${text}`);
  return shape;
}

/** The shape written in the guide's code span that starts with `start`. */
function documented(start: string): Shape {
  const spans = [...guide.matchAll(/`(\{[^`]*\})`/g)].map((m) => m[1] ?? '');
  const found = spans.filter((s) => s.replace(/\s+/g, ' ').startsWith(start));
  expect(found, `one shape starting "${start}" in docs/cli.md`).toHaveLength(1);
  return parseShape(found[0] as string);
}

function conforms(shape: Shape, value: unknown, path: string): void {
  if (shape.kind === 'array') {
    expect(Array.isArray(value), `${path} is an array`).toBe(true);
    expect((value as unknown[]).length, `${path} has an item to check`).toBeGreaterThan(0);
    (value as unknown[]).forEach((item, i) => {
      conforms(shape.item, item, `${path}[${i}]`);
    });
    return;
  }
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), path).toBe(true);
  const object = value as Record<string, unknown>;
  expect(Object.keys(object).sort(), `the keys of ${path}`).toEqual(
    [...shape.fields.keys()].sort(),
  );
  for (const [name, sub] of shape.fields) {
    if (typeof sub === 'string') expect(object[name], `${path}.${name}`).toBe(sub);
    else if (sub !== null) conforms(sub, object[name], `${path}.${name}`);
  }
}

/** The last line of `text` that is a JSON object. */
function lastJson(text: string): unknown {
  const line = text
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .at(-1);
  return JSON.parse(line ?? 'null');
}

describe('docs/cli.md names exactly the options there are', () => {
  it.each(COMMANDS.map((c) => [c.name, c]))('coffer %s: every option in the guide', (_, spec) => {
    for (const option of Object.keys(spec.options)) {
      expect(guide, `--${option} of coffer ${spec.name}`).toContain(`--${option}`);
    }
  });

  it('every --option the guide names is one of a command (or global)', () => {
    const known = new Set([
      ...COMMANDS.flatMap((c) => Object.keys(c.options)),
      ...Object.keys(GLOBAL_OPTIONS),
      'version',
    ]);
    // npm's own options (`npm install --save-dev`) are not coffer's.
    const text = guide.replace(/^npm .*$/gm, '');
    const named = new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]));
    expect([...named].filter((n) => !known.has(n as string))).toEqual([]);
  });
});

describe('examples give options with a fixed set of values one of those values', () => {
  // `--db <url|file>` names two kinds of value, not a list of them.
  const enumerated = new Map(
    COMMANDS.flatMap((c) => Object.entries(c.options))
      .filter(([name, spec]) => name !== 'db' && spec.value?.includes('|') === true)
      .map(([name, spec]) => [name, new Set((spec.value as string).split('|'))]),
  );
  const examples = [
    ...[...guide.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1] ?? ''),
    ...COMMANDS.flatMap((c) => c.examples.map((e) => e.command)),
  ].join('\n');

  it.each([...enumerated.keys()].map((name) => [name]))('--%s', (name) => {
    const given = [...examples.matchAll(new RegExp(`--${name}[ =]([^\\s'"]+)`, 'g'))].map(
      (m) => m[1] as string,
    );
    for (const value of given) expect(enumerated.get(name), `--${name} ${value}`).toContain(value);
  });
});

describe('the JSON shapes in docs/cli.md are what the binary prints', () => {
  const db = join(temp.dir, 'shapes.db');
  const k1 = kekEntry(1, true);
  const k2 = kekEntry(2, true);
  const k3 = kekEntry(3, true);
  const keys = keyringText(k2, k1);
  beforeAll(async () => {
    expect((await runCli(['migrate', '--db', db])).code).toBe(0);
    await seedVault(db, k1, 3);
  });

  it('keygen --json', async () => {
    const r = await runCli(['keygen', '--json']);
    conforms(documented('{ masterKey'), JSON.parse(r.stdout), 'keygen');
  });

  it('keys verify --json, then rewrap --json with a failed row', async () => {
    const verify = await runCli(['keys', 'verify', '--db', db, '--json'], {
      env: { COFFER_MASTER_KEYS: keys },
    });
    expect(verify.code, verify.stderr).toBe(0);
    conforms(documented('{ ok, database, keyringSource'), JSON.parse(verify.stdout), 'verify');
    await seedVault(db, k3, 1);
    const rewrap = await runCli(['rewrap', '--db', db, '--json', '--progress', 'json'], {
      env: { COFFER_MASTER_KEYS: keys },
    });
    expect(rewrap.code, rewrap.stderr).toBe(6);
    conforms(documented('{ ok, database, primaryKekId'), JSON.parse(rewrap.stdout), 'rewrap');
    const note = rewrap.stderr.split('\n').find((l) => l.includes('"event":"note"'));
    conforms(documented('{ event: "note"'), JSON.parse(note ?? 'null'), 'note');
  });

  it('api-keys mint --json and list --json', async () => {
    const mint = await runCli(
      ['api-keys', 'mint', '--db', db, '--org', 'org_docs', '--env', 'test', '--name', 'd'],
      {},
    );
    expect(mint.code, mint.stderr).toBe(0);
    const minted = await runCli([
      'api-keys',
      'mint',
      '--db',
      db,
      '--org',
      'org_docs',
      '--env',
      'test',
      '--name',
      'e',
      '--json',
    ]);
    conforms(documented('{ apiKey'), JSON.parse(minted.stdout), 'mint');
    const list = await runCli(['api-keys', 'list', '--db', db, '--org', 'org_docs', '--json']);
    conforms(documented('{ organizationId'), JSON.parse(list.stdout), 'list');
  });

  it('pii hash --json summary', async () => {
    const csv = join(temp.dir, 'in.csv');
    writeFileSync(csv, 'email,phone\na@example.com,not-a-phone\nb@example.com,1,2\n');
    const r = await runCli([
      'pii',
      'hash',
      '--profile',
      'meta',
      '--json',
      '--progress',
      'none',
      csv,
    ]);
    expect(r.code, r.stderr).toBe(6);
    conforms(documented('{ event: "summary"'), lastJson(r.stderr), 'summary');
  });
});
