// `coffer secrets …`: set, list, rotate and the rotation status of an application's declared
// secrets (@coffer/secrets) in the vault. Values come from stdin, never from argv; no command
// prints a value.
import { isCofferError } from '@coffer/core';
import { CliError, usageError } from '../cli-error.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { loadKeyring, MASTER_KEY_OPTIONS } from '../master-keys.js';
import { DB_OPTIONS, openDb } from '../open-db.js';
import { type OpenedSecrets, openSecrets, SECRETS_OPTIONS } from '../open-secrets.js';
import { printFacts } from '../report.js';
import { printable } from '../style.js';

/** The vault's limit on a value (64 KiB), plus a line ending. */
const MAX_VALUE_BYTES = 64 * 1024 + 2;

/** What a secrets error means for the exit code; the rest as the runner maps them. */
const EXIT_BY_CODE: Readonly<Record<string, ExitCode>> = {
  SECRET_INVALID_FORMAT: EXIT_CODES.usage,
  SECRET_UNKNOWN: EXIT_CODES.usage,
  SECRET_WRONG_MODE: EXIT_CODES.usage,
  SECRET_WRITE_CONFLICT: EXIT_CODES.refused,
  NAME_TAKEN: EXIT_CODES.refused,
  SECRET_GENERATION_FAILED: EXIT_CODES.incomplete,
  SECRET_SOURCE_FAILED: EXIT_CODES.database,
};

const OPTIONS = { ...DB_OPTIONS, ...MASTER_KEY_OPTIONS, ...SECRETS_OPTIONS };
const NAME_POSITIONAL = [
  {
    name: 'name',
    description: 'The secret as declared (its key in defineSecrets, e.g. stripeApiKey).',
  },
];

async function withSecrets(
  ctx: CommandContext,
  body: (opened: OpenedSecrets) => Promise<ExitCode>,
): Promise<ExitCode> {
  const { keyring } = loadKeyring(ctx.args, ctx.io.env);
  const db = await openDb(ctx.args, ctx.io.env);
  try {
    const opened = await openSecrets(ctx.args, db.vault, keyring, (t) => ctx.out.note(t));
    return await body(opened);
  } catch (error) {
    if (
      isCofferError(error) &&
      !(error instanceof CliError) &&
      Object.hasOwn(EXIT_BY_CODE, error.code)
    ) {
      throw new CliError(error.code, error.message, EXIT_BY_CODE[error.code] as ExitCode, {
        ...error.details,
      });
    }
    throw error;
  } finally {
    await db.close();
  }
}

/** The value on stdin: at most 64 KiB, one trailing line ending removed, never a terminal. */
async function readValue(ctx: CommandContext): Promise<string> {
  if (ctx.io.stdin.isTTY === true) {
    throw usageError(
      'secrets set reads the value from stdin, which is a terminal: pipe it in (e.g. from your secret manager), so it is neither echoed nor in your shell history.',
    );
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of ctx.io.stdin) {
    const bytes =
      typeof chunk === 'string'
        ? new TextEncoder().encode(chunk)
        : chunk instanceof Uint8Array
          ? chunk
          : new Uint8Array(0);
    size += bytes.length;
    if (size > MAX_VALUE_BYTES) {
      throw usageError('The value on stdin is larger than 64 KiB, the most the vault stores.');
    }
    chunks.push(bytes);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw usageError('The value on stdin is not UTF-8 text.');
  }
  text = text.replace(/\r?\n$/, '');
  if (text.length === 0) throw usageError('No value on stdin: pipe the value in.');
  return text;
}

function secretName(ctx: CommandContext): string {
  const name = ctx.args.positionals[0] as string;
  // A name is lowerCamelCase; anything else is shown only by its length (it may be a pasted value).
  if (!/^[a-z][A-Za-z0-9]{0,63}$/.test(name)) {
    throw usageError(
      `<name> must be a declared secret name (lowerCamelCase); got ${name.length} characters that are not one. A value goes on stdin, never on the command line.`,
    );
  }
  return name;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const set: CommandSpec = {
  name: 'secrets set',
  summary: 'Store a new version of a static secret, read from stdin',
  usage: 'secrets set <name> --declarations <module> [--db <url|file>] < value',
  description: [
    "Reads the value from stdin (one trailing newline removed), checks it against the secret's declared format, and stores it as the next version in the vault. A malformed value is refused (exit 2) before anything is stored, and the message never repeats it.",
    'Only static secrets are set; random and generated ones are rotated (secrets rotate).',
  ],
  options: OPTIONS,
  positionals: NAME_POSITIONAL,
  examples: [
    {
      command: 'coffer secrets set stripeApiKey --declarations ./dist/secrets.js --json',
      note: 'In a script whose stdin carries the value (COFFER_DB_URL and COFFER_MASTER_KEYS set)',
    },
    {
      command:
        'op read op://prod/stripe/key | coffer secrets set stripeApiKey --db postgres://app@db.internal/app --declarations ./dist/secrets.js',
      note: 'Set the Stripe key from 1Password',
    },
  ],
  run: (ctx) =>
    withSecrets(ctx, async ({ definition, manager }) => {
      const name = secretName(ctx);
      const value = await readValue(ctx);
      const result = await manager.set(name as never, value);
      const physicalName = definition.secrets.find((s) => s.name === name)?.ref.physicalName ?? '';
      if (ctx.out.json) {
        await ctx.out.result({ name, physicalName, ...result });
      } else {
        await printFacts(ctx.out, [
          ['name', 'Secret', name],
          ['physical_name', 'Stored as', physicalName],
          ['version', 'Version', String(result.version)],
          ['written', 'Written', String(result.written)],
        ]);
      }
      return EXIT_CODES.ok;
    }),
};

const rotate: CommandSpec = {
  name: 'secrets rotate',
  summary: 'Rotate a random or generated secret now, or every one that is due (--due)',
  usage: 'secrets rotate (<name> | --due) --declarations <module> [--db <url|file>]',
  description: [
    'With <name>: stores a new version of that random or generated secret now (a generated one runs its apply flow from your module). With --due: rotateDue(), which rotates what is due and reports static secrets that need a new value (operator-due).',
    'Safe while your instances run their own rotateDue(): one rotation wins, the others report its version. Exit 6 when a rotation failed.',
  ],
  options: {
    ...OPTIONS,
    due: { type: 'boolean', description: 'Rotate every secret whose interval has passed.' },
  },
  positionals: [
    { ...(NAME_POSITIONAL[0] as { name: string; description: string }), optional: true },
  ],
  examples: [
    {
      command:
        'coffer secrets rotate webhookSigning --db ./data/coffer.db --declarations ./dist/secrets.js',
      note: 'Rotate one secret now',
    },
    {
      command: 'coffer secrets rotate --due --declarations ./dist/secrets.js --json',
      note: 'What a scheduled job runs (COFFER_DB_URL set)',
    },
  ],
  run: (ctx) =>
    withSecrets(ctx, async ({ definition, manager }) => {
      const due = ctx.args.boolean('due');
      if (due === ctx.args.positionals.length > 0) {
        throw usageError('secrets rotate takes a secret <name> or --due, not both.');
      }
      if (!due) {
        const name = secretName(ctx);
        const result = await manager.rotate(name as never);
        const physicalName =
          definition.secrets.find((s) => s.name === name)?.ref.physicalName ?? '';
        if (ctx.out.json) await ctx.out.result({ name, physicalName, ...result });
        else {
          await printFacts(ctx.out, [
            ['name', 'Secret', name],
            ['physical_name', 'Stored as', physicalName],
            ['version', 'Version', String(result.version)],
            ['written', 'Written', String(result.written)],
          ]);
        }
        return EXIT_CODES.ok;
      }
      const reports = await manager.rotateDue();
      if (ctx.out.json) await ctx.out.result({ reports });
      else {
        await ctx.out.print(
          reports
            .map((r) =>
              [r.name, r.mode, r.outcome, r.version === null ? '-' : `v${r.version}`, r.error ?? '']
                .join('\t')
                .trimEnd(),
            )
            .join('\n'),
        );
      }
      return reports.some((r) => r.outcome === 'failed') ? EXIT_CODES.incomplete : EXIT_CODES.ok;
    }),
};

const list: CommandSpec = {
  name: 'secrets list',
  summary: 'List the declared secrets with their stored version (never a value)',
  usage: 'secrets list --declarations <module> [--db <url|file>]',
  description: [
    'Every secret of the definition: name, namespace, mode, consumers, physical name, and the version stored in the vault (- when none is set). Reads no value.',
  ],
  options: OPTIONS,
  examples: [
    {
      command: 'coffer secrets list --db ./data/coffer.db --declarations ./dist/secrets.js',
      note: 'What is declared and what is set',
    },
  ],
  run: (ctx) =>
    withSecrets(ctx, async ({ definition, manager, owner }) => {
      const status = await manager.status();
      const secrets = definition.secrets.map((s) => ({
        name: s.name,
        namespace: s.ref.namespace,
        mode: s.ref.mode,
        consumers: [...s.consumers],
        physicalName: s.ref.physicalName,
        version: status.find((x) => x.name === s.name)?.version ?? null,
      }));
      if (ctx.out.json) {
        await ctx.out.result({ ...definition.owner, owner, secrets });
        return EXIT_CODES.ok;
      }
      const rows = [
        ['NAME', 'NAMESPACE', 'MODE', 'CONSUMERS', 'PHYSICAL NAME', 'VERSION'],
        ...secrets.map((s) => [
          s.name,
          s.namespace,
          s.mode,
          s.consumers.join(','),
          s.physicalName,
          s.version === null ? '-' : String(s.version),
        ]),
      ];
      await printRows(ctx, rows);
      return EXIT_CODES.ok;
    }),
};

const status: CommandSpec = {
  name: 'secrets status',
  summary: 'Show each secret’s rotation state: last rotated, next due, in progress, last error',
  usage: 'secrets status --declarations <module> [--db <url|file>]',
  description: [
    'The rotation state each secret keeps in its vault entry: version, when it was last rotated (or set), when it is next due by its declared interval, whether it is due, a rotation in progress (and whether its lease has run out), and the last error code. Reads no value.',
  ],
  options: OPTIONS,
  examples: [
    {
      command:
        'coffer secrets status --db ./data/coffer.db --declarations ./dist/secrets.js --json',
      note: 'The state as JSON, e.g. for monitoring',
    },
  ],
  run: (ctx) =>
    withSecrets(ctx, async ({ manager, owner }) => {
      const all = await manager.status();
      const secrets = all.map((s) => ({
        name: s.name,
        mode: s.mode,
        version: s.version,
        lastRotatedAt: iso(s.lastRotatedAt),
        nextDueAt: iso(s.nextDueAt),
        due: s.due,
        inProgress:
          s.inProgress === null
            ? null
            : {
                startedAt: iso(s.inProgress.startedAt),
                leaseUntil: iso(s.inProgress.leaseUntil),
                expired: s.inProgress.expired,
              },
        lastError:
          s.lastError === null ? null : { code: s.lastError.code, at: iso(s.lastError.at) },
      }));
      if (ctx.out.json) {
        await ctx.out.result({ owner, secrets });
        return EXIT_CODES.ok;
      }
      const rows = [
        ['NAME', 'MODE', 'VERSION', 'LAST ROTATED', 'NEXT DUE', 'DUE', 'IN PROGRESS', 'LAST ERROR'],
        ...secrets.map((s) => [
          s.name,
          s.mode,
          s.version === null ? '-' : String(s.version),
          s.lastRotatedAt ?? '-',
          s.nextDueAt ?? '-',
          s.due ? 'yes' : 'no',
          s.inProgress === null
            ? '-'
            : `since ${s.inProgress.startedAt}${s.inProgress.expired ? ' (lease expired)' : ''}`,
          s.lastError === null ? '-' : `${s.lastError.code} at ${s.lastError.at}`,
        ]),
      ];
      await printRows(ctx, rows);
      return EXIT_CODES.ok;
    }),
};

/** A table on a terminal, tab-separated values in a pipe. Cells are cleaned before printing. */
async function printRows(ctx: CommandContext, rows: string[][]): Promise<void> {
  const clean = rows.map((r) => r.map((c) => printable(c).replace(/[\t\n]/g, ' ')));
  if (!ctx.out.pretty) {
    await ctx.out.print(clean.map((r) => r.join('\t')).join('\n'));
    return;
  }
  const widths = (clean[0] ?? []).map((_, i) => Math.max(...clean.map((r) => (r[i] ?? '').length)));
  await ctx.out.print(
    clean
      .map((r, n) => {
        const line = r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd();
        return n === 0 ? ctx.out.style.dim(line) : line;
      })
      .join('\n'),
  );
}

/** The `secrets` command group. */
export const secretsCommands: readonly CommandSpec[] = [set, list, rotate, status];
