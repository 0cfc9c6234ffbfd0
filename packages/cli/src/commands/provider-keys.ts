// `coffer provider-keys …`: customers' own provider keys (BYOK) in the vault of the database —
// set (the key from stdin, never argv), list, test, enable, disable, delete, restore. No command
// prints a key: only its display prefix.
import type { ProviderKeyInfo, ProviderKeys, ScopedProviderKeys } from '@coffer/provider-keys';
import type { Args } from '../args.js';
import { usageError } from '../cli-error.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { loadKeyring, MASTER_KEY_OPTIONS } from '../master-keys.js';
import { DB_OPTIONS, openDb } from '../open-db.js';
import { asCliError, openProviderKeys } from '../open-provider-keys.js';
import { printFacts } from '../report.js';

/** The longest key read from stdin (a provider key is at most 4096 characters), with a newline. */
const MAX_STDIN_BYTES = 4098;

const OWNER_OPTION = {
  owner: {
    type: 'string',
    value: 'owner',
    description: 'The owner (tenant) of the key, as your app passes it to forOwner.',
  },
} as const;

const PROVIDER_OPTION = {
  provider: {
    type: 'string',
    value: 'id',
    description: 'The provider: openai, anthropic, google or mistral.',
  },
} as const;

const ACTOR_OPTION = {
  actor: {
    type: 'string',
    value: 'who',
    description: "Who makes the change, for the vault's audit events (default: coffer-cli).",
  },
} as const;

/** Opens the database and the manager for the owner, runs `body`, closes. */
async function withKeys(
  ctx: CommandContext,
  body: (keys: ScopedProviderKeys, all: ProviderKeys) => Promise<ExitCode>,
  extra: { baseUrl?: string; timeoutMs?: number } = {},
): Promise<ExitCode> {
  const { args, io } = ctx;
  const owner = args.requireString('owner');
  const actor = args.declares('actor') ? (args.string('actor') ?? 'coffer-cli') : 'coffer-cli';
  const { keyring } = loadKeyring(args, io.env);
  const db = await openDb(args, io.env);
  try {
    const provider = args.declares('provider') ? args.string('provider') : undefined;
    const all = openProviderKeys(db.vault, keyring, {
      actor,
      stderr: io.stderr,
      ...(provider === undefined ? {} : { provider }),
      ...extra,
    });
    try {
      return await body(all.forOwner(owner), all);
    } finally {
      await all.flush();
    }
  } catch (error) {
    throw asCliError(error);
  } finally {
    await db.close();
  }
}

const date = (d: Date | null): string => (d === null ? '' : d.toISOString());

function facts(k: ProviderKeyInfo, pretty: boolean): [string, string, string][] {
  const or = (text: string, empty: string) => (text === '' && pretty ? empty : text);
  return [
    ['provider', 'Provider', k.provider],
    ['id', 'Vault id', k.id],
    ['version', 'Version', String(k.version)],
    ['status', 'Status', k.status],
    ['invalid_reason', 'Invalid because', or(k.invalid?.reason ?? '', '-')],
    ['invalid_at', 'Invalid since', or(date(k.invalid?.at ?? null), '-')],
    ['display_prefix', 'Key', k.displayPrefix],
    [
      'last_validated',
      'Last test',
      or(
        k.lastValidated === null
          ? ''
          : `${k.lastValidated.status}${k.lastValidated.reason === null ? '' : ` (${k.lastValidated.reason})`} at ${date(k.lastValidated.at)}`,
        'never',
      ),
    ],
    ['last_used_at', 'Last used', or(date(k.lastUsedAt), 'never')],
    ['deleted_at', 'Deleted', or(date(k.deletedAt), 'no')],
    ['restorable_until', 'Restorable until', or(date(k.restorableUntil), '-')],
  ];
}

async function printKey(ctx: CommandContext, key: ProviderKeyInfo): Promise<void> {
  if (ctx.out.json) await ctx.out.result({ key });
  else await printFacts(ctx.out, facts(key, ctx.out.pretty));
}

/** The key piped on stdin: one line (a final newline is dropped), at most 4096 characters. */
async function keyFromStdin(ctx: CommandContext): Promise<string> {
  const { stdin } = ctx.io;
  if (stdin.isTTY === true) {
    throw usageError(
      'provider-keys set reads the key from stdin, not from a terminal or an argument: pipe it, e.g. `pbpaste | coffer provider-keys set …` or `coffer provider-keys set … < key.txt`.',
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    size += bytes.length;
    if (size > MAX_STDIN_BYTES) {
      throw usageError(
        'stdin holds more than one provider key (over 4096 characters); pipe the key alone.',
      );
    }
    chunks.push(bytes);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const key = text.endsWith('\r\n')
    ? text.slice(0, -2)
    : text.endsWith('\n')
      ? text.slice(0, -1)
      : text;
  if (key === '') throw usageError('No key on stdin: pipe the key to set.');
  return key;
}

function timeout(args: Args): number | undefined {
  const text = args.string('timeout');
  if (text === undefined) return undefined;
  const ms = /^[0-9]{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!(ms >= 1 && ms <= 600_000)) {
    throw usageError('--timeout must be milliseconds from 1 to 600000.', { option: 'timeout' });
  }
  return ms;
}

const COMMON = { ...DB_OPTIONS, ...MASTER_KEY_OPTIONS, ...OWNER_OPTION } as const;

const set: CommandSpec = {
  name: 'provider-keys set',
  summary: "Store a customer's provider key, read from stdin (a new version if one is set)",
  usage: 'provider-keys set --db <url|file> --owner <owner> --provider <id> < key.txt',
  description: [
    "Reads the key from stdin — never from an argument, which shell history and ps would keep — checks its provider's format, and stores it in the vault: the first time as a new entry, afterwards as a new version of the same one. The key becomes active. Prints the key's details with its display prefix, never the key.",
  ],
  options: { ...COMMON, ...PROVIDER_OPTION, ...ACTOR_OPTION },
  examples: [
    {
      command:
        'coffer provider-keys set --db ./data/coffer.db --owner org_42 --provider openai < key.txt',
      note: 'Store the OpenAI key in key.txt for org_42',
    },
  ],
  run: async (ctx) => {
    const key = await keyFromStdin(ctx);
    return withKeys(ctx, async (keys) => {
      await printKey(ctx, await keys.set(ctx.args.requireString('provider'), key));
      return EXIT_CODES.ok;
    });
  },
};

const list: CommandSpec = {
  name: 'provider-keys list',
  summary: "List an owner's provider keys: status, display prefix, last test and use",
  usage: 'provider-keys list --db <url|file> --owner <owner> [--include-deleted]',
  description: [
    'On a terminal a table; in a pipe tab-separated values with a header line; with --json { owner, keys }.',
  ],
  options: {
    ...COMMON,
    'include-deleted': {
      type: 'boolean',
      description: 'Also the deleted keys that can still be restored.',
    },
  },
  examples: [
    {
      command: 'coffer provider-keys list --db ./data/coffer.db --owner org_42',
      note: "org_42's keys",
    },
  ],
  run: (ctx) =>
    withKeys(ctx, async (keys) => {
      const rows = await keys.list({ includeDeleted: ctx.args.boolean('include-deleted') });
      const { out } = ctx;
      if (out.json) {
        await out.result({ owner: keys.owner, keys: rows });
        return EXIT_CODES.ok;
      }
      const header = ['PROVIDER', 'STATUS', 'KEY', 'VERSION', 'LAST TEST', 'LAST USED', 'DELETED'];
      const cells = rows.map((k) => [
        k.provider,
        k.status === 'invalid' ? `invalid (${k.invalid?.reason ?? ''})` : k.status,
        k.displayPrefix,
        String(k.version),
        k.lastValidated === null ? '' : `${k.lastValidated.status} ${date(k.lastValidated.at)}`,
        date(k.lastUsedAt),
        date(k.deletedAt),
      ]);
      // Every cell is read from the database: no control characters reach the terminal.
      const clean = (c: string) => c.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\t]+/gu, ' ');
      if (!out.pretty) {
        await out.print([header, ...cells].map((r) => r.map(clean).join('\t')).join('\n'));
        return EXIT_CODES.ok;
      }
      const widths = header.map((h, i) =>
        Math.max(h.length, ...cells.map((r) => clean(r[i] ?? '').length)),
      );
      const line = (r: string[]) =>
        r
          .map((c, i) => clean(c).padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd();
      await out.print(
        [
          out.style.bold(line(header)),
          ...cells.map(line),
          '',
          `${rows.length} key${rows.length === 1 ? '' : 's'}`,
        ].join('\n'),
      );
      return EXIT_CODES.ok;
    }),
};

const test: CommandSpec = {
  name: 'provider-keys test',
  summary: 'Test a stored key against its provider now, and record the result',
  usage:
    'provider-keys test --db <url|file> --owner <owner> --provider <id> [--timeout <ms>] [--base-url <url>]',
  description: [
    "Runs the provider's documented check with the stored key (the reveal is audited: one JSON line on stderr) and records the result and time. A key the provider refuses is marked invalid. Exit 0 when the key is valid, 6 when it is invalid, rate limited or the provider could not be reached (unreachable never marks a key invalid).",
  ],
  options: {
    ...COMMON,
    ...PROVIDER_OPTION,
    timeout: {
      type: 'string',
      value: 'ms',
      description: 'How long the check may take (default 5000).',
    },
    'base-url': {
      type: 'string',
      value: 'url',
      description:
        "Send the check to this base URL instead of the provider's (an egress proxy; plain http only to localhost).",
    },
  },
  examples: [
    {
      command: 'coffer provider-keys test --db ./data/coffer.db --owner org_42 --provider openai',
      note: "Test org_42's OpenAI key",
    },
  ],
  run: (ctx) => {
    const ms = timeout(ctx.args);
    const baseUrl = ctx.args.string('base-url');
    return withKeys(
      ctx,
      async (keys) => {
        const outcome = await keys.test(ctx.args.requireString('provider'));
        const { out } = ctx;
        if (out.json) {
          await out.result({
            result: outcome.result,
            recorded: outcome.recorded,
            key: outcome.key,
          });
        } else {
          const r = outcome.result;
          const detail =
            'reason' in r
              ? ` (${r.reason})`
              : 'retryAfterMs' in r && r.retryAfterMs !== undefined
                ? ` (retry after ${r.retryAfterMs} ms)`
                : '';
          await printFacts(out, [
            ['result', 'Result', `${r.status}${detail}`],
            ['recorded', 'Recorded', String(outcome.recorded)],
            ...facts(outcome.key, out.pretty),
          ]);
        }
        return outcome.result.status === 'valid' ? EXIT_CODES.ok : EXIT_CODES.incomplete;
      },
      {
        ...(ms === undefined ? {} : { timeoutMs: ms }),
        ...(baseUrl === undefined ? {} : { baseUrl }),
      },
    );
  },
};

function stateCommand(
  verb: 'enable' | 'disable' | 'delete' | 'restore',
  summary: string,
  description: string,
): CommandSpec {
  return {
    name: `provider-keys ${verb}`,
    summary,
    usage: `provider-keys ${verb} --db <url|file> --owner <owner> --provider <id>`,
    description: [description],
    options: { ...COMMON, ...PROVIDER_OPTION, ...ACTOR_OPTION },
    examples: [
      {
        command: `coffer provider-keys ${verb} --db ./data/coffer.db --owner org_42 --provider openai`,
        note: `${verb[0]?.toUpperCase()}${verb.slice(1)} org_42's OpenAI key`,
      },
    ],
    run: (ctx) =>
      withKeys(ctx, async (keys) => {
        const provider = ctx.args.requireString('provider');
        await printKey(ctx, await keys[verb](provider));
        return EXIT_CODES.ok;
      }),
  };
}

/** The `provider-keys` commands. */
export const providerKeysCommands: readonly CommandSpec[] = [
  set,
  list,
  test,
  stateCommand(
    'enable',
    'Use a disabled or invalid key again',
    'Makes the key active (clears invalid).',
  ),
  stateCommand(
    'disable',
    'Keep a key but stop using it',
    'The app falls back to its platform key until the key is enabled.',
  ),
  stateCommand(
    'delete',
    'Soft-delete a key (restorable for 90 days)',
    "The vault's purgeExpired destroys it 90 days after deletion.",
  ),
  stateCommand(
    'restore',
    'Restore the most recently deleted key',
    'Refused (exit 5) when another key was set meanwhile.',
  ),
];
