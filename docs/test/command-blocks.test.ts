// The docs' code blocks that are not TypeScript are run too, read from the Markdown each time so
// they cannot drift: the Python checksum validator of docs/api-key-format.md (against the
// document's own worked examples), the `node -e` key generators of docs/rotating-master-keys.md
// and the envelope README, and the `psql` / `sqlite3` / `mariadb` commands that apply the shipped
// SQL files.
// (Install lines — `pnpm add …` — are the only blocks left unrun.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_KEY_SCAN_PATTERN_SOURCE } from '@coffer/api-keys';
import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createTestMysqlDatabase,
  runMysqlScript,
} from '../../packages/store-mysql/test/test-database.ts';
import { createTestDatabase } from '../../test-support/postgres.ts';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(docs, '..');
const temp = mkdtempSync(join(tmpdir(), 'coffer-command-blocks-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** The fenced blocks of `lang` in a Markdown file (fences may be indented inside list items). */
function blocks(file: string, lang: string): string[] {
  const text = readFileSync(join(repo, file), 'utf8');
  const out: string[] = [];
  const fence = /^([ \t]*)```(\w+)[^\n]*\n([\s\S]*?)^\1```/gm;
  for (const match of text.matchAll(fence)) {
    if (match[2] !== lang) continue;
    const indent = match[1] ?? '';
    out.push(
      (match[3] ?? '')
        .split('\n')
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
        .join('\n'),
    );
  }
  return out;
}

/** The lines of the `sh` blocks of `file` that start with `command`, comments dropped. */
function commandLines(file: string, command: string): string[] {
  return blocks(file, 'sh')
    .flatMap((block) => block.split('\n'))
    .map((line) => line.trim())
    .filter((line) => line.startsWith(`${command} `));
}

function run(command: string, args: string[], cwd = repo, input?: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', input, timeout: 60_000 });
  if (result.error !== undefined) throw result.error;
  return result;
}

const hasCommand = (name: string): boolean =>
  spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;

describe('docs/api-key-format.md: the Python validator', () => {
  it('accepts the document’s worked examples and rejects a one-character change', () => {
    const [validator] = blocks('docs/api-key-format.md', 'python');
    expect(validator, 'the Python block').toBeDefined();
    const text = readFileSync(join(repo, 'docs/api-key-format.md'), 'utf8');
    const examples = [...text.matchAll(/\blp_live_[0-9A-Z]{16}_[A-Za-z0-9_-]{43}\b/g)].map(
      (m) => m[0],
    );
    expect(examples.length).toBeGreaterThan(0);
    const good = examples[0] ?? '';
    const changed = `${good.slice(0, 40)}${good[40] === 'A' ? 'B' : 'A'}${good.slice(41)}`;
    const program = `${validator}
import json, sys
print(json.dumps([is_well_formed(k) for k in json.loads(sys.stdin.read())]))
`;
    const result = run('python3', ['-c', program], repo, JSON.stringify([good, changed, 'lp_x']));
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([true, false, false]);
  });
});

describe('docs/api-key-format.md: the scanner pattern', () => {
  it('is the one the package exports', () => {
    const text = readFileSync(join(repo, 'docs/api-key-format.md'), 'utf8');
    const section = text.slice(text.indexOf('## Scanning for leaked keys'));
    const pattern = /```\n([^\n]+)\n```/.exec(section)?.[1];
    expect(pattern).toBe(API_KEY_SCAN_PATTERN_SOURCE);
  });
});

describe('the `node -e` key generators', () => {
  for (const file of ['docs/rotating-master-keys.md', 'packages/envelope/README.md']) {
    it(`${file}: prints one keyring entry`, () => {
      const lines = commandLines(file, 'node');
      expect(lines.length, 'a `node -e` line').toBeGreaterThan(0);
      for (const line of lines) {
        // The line as written, run with the package's TypeScript sources (no build needed):
        // `node --input-type=module -e "<code>"` → `node --import tsx --conditions=@coffer/source …`.
        const code = /-e "([^"]+)"/.exec(line)?.[1];
        expect(code, line).toBeDefined();
        expect(line).toContain('--input-type=module');
        const result = run(
          'node',
          [
            '--import',
            'tsx',
            '--conditions=@coffer/source',
            '--input-type=module',
            '-e',
            code ?? '',
          ],
          docs,
        );
        expect(result.stderr).toBe('');
        expect(result.stdout.trim()).toMatch(/^\*?\d+:[A-Za-z0-9_-]{43}$/);
      }
    });
  }
});

describe('the plain-SQL migration commands', () => {
  it('packages/store-postgres/README.md: the psql lines apply the shipped files, twice', async () => {
    const lines = commandLines('packages/store-postgres/README.md', 'psql');
    expect(lines).toHaveLength(3);
    const database = await createTestDatabase('psql_blocks');
    try {
      const files = lines.map((line) => {
        const file = /-f (\S+)$/.exec(line)?.[1] ?? '';
        return join(
          repo,
          'packages/store-postgres',
          file.replace(/^node_modules\/@coffer\/store-postgres\//, ''),
        );
      });
      for (let pass = 0; pass < 2; pass++) {
        if (hasCommand('psql')) {
          for (const line of lines) {
            const local = line
              .replace('"$DATABASE_URL"', `"${database.url}"`)
              .replace(
                'node_modules/@coffer/store-postgres/',
                `${join(repo, 'packages/store-postgres')}/`,
              );
            const result = run('sh', ['-c', local]);
            expect(result.status, result.stderr).toBe(0);
          }
        } else {
          // No psql on this machine: the same files, in the same order, through the pg driver.
          const client = new pg.Client({ connectionString: database.url });
          await client.connect();
          try {
            for (const file of files) await client.query(readFileSync(file, 'utf8'));
          } finally {
            await client.end();
          }
        }
      }
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ table_name: string }>(
          "select table_name from information_schema.tables where table_name like 'coffer_%' order by 1",
        );
        expect(rows.map((r) => r.table_name)).toEqual(
          expect.arrayContaining(['coffer_api_key', 'coffer_kill_switch']),
        );
        expect(rows.length).toBeGreaterThanOrEqual(4);
      } finally {
        await client.end();
      }
    } finally {
      await database.drop();
    }
  });

  it('packages/store-mysql/README.md: the mariadb lines apply the shipped files, twice', async () => {
    const lines = commandLines('packages/store-mysql/README.md', 'mariadb');
    expect(lines).toHaveLength(3);
    const database = await createTestMysqlDatabase('mariadb_blocks');
    const packageDir = join(repo, 'packages/store-mysql');
    try {
      const url = new URL(database.url);
      for (let pass = 0; pass < 2; pass++) {
        for (const line of lines) {
          const local = line.replace('node_modules/@coffer/store-mysql/', `${packageDir}/`);
          if (hasCommand('mariadb')) {
            const connect = [
              `--host=${url.hostname}`,
              `--port=${url.port || '3306'}`,
              `--user=${decodeURIComponent(url.username)}`,
              ...(url.password === '' ? [] : [`--password=${decodeURIComponent(url.password)}`]),
            ].join(' ');
            const result = run('sh', [
              '-c',
              local.replace(/^mariadb app /, `mariadb ${connect} ${database.name} `),
            ]);
            expect(result.status, result.stderr).toBe(0);
          } else {
            // No mariadb client here: the same file through mysql2.
            const sqlFile = /< (\S+)$/.exec(local)?.[1] ?? '';
            await runMysqlScript(database.url, readFileSync(sqlFile, 'utf8'));
          }
        }
      }
      const connection = await createConnection({ uri: database.url });
      try {
        const [rows] = await connection.query(
          'select table_name as name from information_schema.tables where table_schema = database() order by 1',
        );
        expect((rows as Array<{ name: string }>).map((r) => r.name)).toEqual([
          'coffer_api_key',
          'coffer_kill_switch',
          'coffer_vault_entries',
          'coffer_vault_versions',
        ]);
        // 003's column, once, with its default.
        const [columns] = await connection.query(
          "select column_default as d from information_schema.columns where table_schema = database() and table_name = 'coffer_api_key' and column_name = 'tier'",
        );
        expect((columns as Array<{ d: string }>).map((c) => c.d)).toEqual(["'standard'"]);
      } finally {
        await connection.end();
      }
    } finally {
      await database.drop();
    }
  });

  it('packages/store-sqlite/README.md: the sqlite3 lines apply the shipped files, twice', () => {
    const lines = commandLines('packages/store-sqlite/README.md', 'sqlite3');
    expect(lines).toHaveLength(3);
    const file = join(temp, 'coffer.db');
    const packageDir = join(repo, 'packages/store-sqlite');
    for (let pass = 0; pass < 2; pass++) {
      // 003 adds a column: SQLite has no `add column if not exists`, its file applies once.
      for (const line of pass === 0 ? lines : lines.filter((l) => !l.includes('003_'))) {
        const local = line
          .replace('./data/coffer.db', file)
          .replace('node_modules/@coffer/store-sqlite/', `${packageDir}/`);
        if (hasCommand('sqlite3')) {
          const result = run('sh', ['-c', local]);
          expect(result.status, result.stderr).toBe(0);
        } else {
          // No sqlite3 shell here: the same file through better-sqlite3.
          const sqlFile = /< (\S+)$/.exec(local)?.[1] ?? '';
          const db = new Database(file);
          db.exec(readFileSync(sqlFile, 'utf8'));
          db.close();
        }
      }
    }
    const db = new Database(file, { readonly: true });
    try {
      const names = db
        .prepare("select name from sqlite_master where type = 'table' and name like 'coffer_%'")
        .all()
        .map((row) => (row as { name: string }).name);
      expect(names).toEqual(expect.arrayContaining(['coffer_api_key', 'coffer_kill_switch']));
    } finally {
      db.close();
    }
  });
});
