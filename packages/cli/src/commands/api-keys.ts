// `coffer api-keys …`: mint, list, show, rotate, revoke, the kill switches of a key, an
// organization or everything, and the audit trail of those changes. Full keys are printed only by
// mint and rotate, once.
import type { ApiKeyAuditEntry, ApiKeyInfo, MintedApiKey } from '@coffer/api-keys';
import type { Args } from '../args.js';
import { usageError } from '../cli-error.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import {
  type ApiKeyAdmin,
  AUDIT_OPTIONS,
  AUDIT_RECORDED,
  type AuditNote,
  auditNote,
  openApiKeyAdmin,
} from '../open-api-keys.js';
import { DB_OPTIONS, openDb } from '../open-db.js';
import { printFacts } from '../report.js';

const KEY_ID = '[0-9A-HJKMNP-TV-Z]{16}';
const BARE_ID = new RegExp(`^${KEY_ID}$`);
const START = new RegExp(`^[a-z][a-z0-9]{0,5}_(?:live|test)_(${KEY_ID})$`);
const WHOLE_KEY = new RegExp(`^[a-z][a-z0-9]{0,5}_(?:live|test)_${KEY_ID}_`);

/**
 * The key id of the `<keyId>` argument: the 16-character id, or the display start
 * (`lp_live_<id>`). A whole key is refused: it is a secret and does not belong in argv.
 */
function keyIdArgument(text: string): string {
  if (BARE_ID.test(text)) return text;
  const start = START.exec(text);
  if (start?.[1] !== undefined) return start[1];
  if (WHOLE_KEY.test(text)) {
    throw usageError(
      'That argument is a whole API key, which is a secret: pass only its key id (the 16 characters after lp_live_). It is now in your shell history; consider rotating the key.',
    );
  }
  throw usageError(
    '<keyId> must be a key id: 16 characters of Crockford base32, e.g. 01HX9Y6K7EJ4T2AB.',
  );
}

const GRACE = /^([0-9]{1,9})(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** The longest grace period: a year. Far longer ones (99999999d) end past the last valid Date. */
const MAX_GRACE_MS = 365 * UNIT_MS.d;

function gracePeriod(args: Args): number {
  const text = args.string('grace');
  if (text === undefined || text === '0') return 0;
  const match = GRACE.exec(text);
  const ms =
    match === null ? Number.NaN : Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (!(ms <= MAX_GRACE_MS)) {
    throw usageError('--grace must be a duration of at most a year, such as 90s, 30m, 12h or 7d.', {
      option: 'grace',
    });
  }
  return ms;
}

function expiry(args: Args): Date | undefined {
  const text = args.string('expires');
  if (text === undefined) return undefined;
  const date = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)
    ? new Date(text)
    : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()) || date.getTime() <= Date.now()) {
    throw usageError(
      '--expires must be a future ISO 8601 date or date-time, e.g. 2027-01-31 or 2027-01-31T12:00:00Z.',
      { option: 'expires' },
    );
  }
  return date;
}

const ORG_OPTION = {
  org: {
    type: 'string',
    value: 'organization id',
    description: 'The organization (1-200 characters).',
  },
} as const;

/** Opens the database and the admin, runs `body`, closes both. */
async function withAdmin(
  ctx: CommandContext,
  body: (admin: ApiKeyAdmin, audit: RecordedNote) => Promise<ExitCode>,
): Promise<ExitCode> {
  // Read-only commands declare no --actor/--reason: their note is never used.
  const audit: AuditNote = ctx.args.declares('actor')
    ? auditNote(ctx.args)
    : { actor: '', reason: null };
  const db = await openDb(ctx.args, ctx.io.env);
  const admin = openApiKeyAdmin(db.apiKeys);
  try {
    return await body(admin, { ...audit, entry: () => admin.lastAuditId() });
  } finally {
    await admin.close();
    await db.close();
  }
}

/** The audit note of a change, and the id of the entry it recorded once it ran. */
interface RecordedNote extends AuditNote {
  entry(): string | null;
}

/** `recorded` is false, and `id` null, for a change that changed nothing (a kill of a killed key). */
function auditJson(audit: RecordedNote): Record<string, unknown> {
  const id = audit.entry();
  return { actor: audit.actor, reason: audit.reason, recorded: AUDIT_RECORDED && id !== null, id };
}

/** A stored date; one out of Date's range (written by an older tool) shows as such, not as a crash. */
const date = (d: Date | null): string =>
  d === null ? '' : Number.isNaN(d.getTime()) ? '(out of range)' : d.toISOString();
/** A stored name for the terminal: control and format characters (escapes, bidi overrides) out. */
const clean = (text: string): string => text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]+/gu, ' ');

function infoFacts(info: ApiKeyInfo, pretty: boolean) {
  const or = (text: string, empty: string) => (text === '' && pretty ? empty : text);
  return [
    ['key_id', 'Key id', clean(info.keyId)],
    ['start', 'Start', clean(info.start)],
    ['organization_id', 'Organization', clean(info.organizationId)],
    ['env', 'Env', clean(info.env)],
    ['name', 'Name', clean(info.name)],
    ['status', 'Status', clean(info.status)],
    ['scopes', 'Scopes', or(clean(info.scopes.join(',')), '(none)')],
    ['created_at', 'Created', date(info.createdAt)],
    ['expires_at', 'Expires', or(date(info.expiresAt), 'never')],
    ['rotated_at', 'Rotated', or(date(info.rotatedAt), 'never')],
    ['revoked_at', 'Revoked', or(date(info.revokedAt), 'no')],
    ['last_used_at', 'Last used', or(date(info.lastUsedAt), 'never')],
    ...(info.previousSecretValidUntil === null
      ? []
      : [['previous_secret_valid_until', 'Old secret until', date(info.previousSecretValidUntil)]]),
  ] as [string, string, string][];
}

/** Prints a freshly minted or rotated key: the only time its secret is shown. */
async function printMinted(
  ctx: CommandContext,
  minted: MintedApiKey,
  audit: RecordedNote,
  verb: string,
) {
  const { out } = ctx;
  const key = minted.key.expose();
  if (out.json) {
    await out.result({
      apiKey: key,
      keyId: minted.keyId,
      start: minted.start,
      info: minted.info,
      audit: auditJson(audit),
    });
    return;
  }
  if (out.pretty) {
    const s = out.style;
    await out.print(
      [
        s.bold(`${verb} ${minted.start} — the key, shown once:`),
        `  ${key}`,
        s.yellow(
          'Hand it to its owner now (a secret manager, not chat or e-mail); coffer keeps only its hash.',
        ),
        '',
      ].join('\n'),
    );
    await printFacts(out, infoFacts(minted.info, true));
  } else {
    // In a pipe, stdout is the key alone: KEY=$(coffer api-keys mint …).
    await out.print(key);
    out.note(`${verb} ${minted.start}`);
  }
}

async function printInfo(
  ctx: CommandContext,
  info: ApiKeyInfo,
  audit?: RecordedNote,
): Promise<void> {
  if (ctx.out.json) {
    await ctx.out.result({ info, ...(audit === undefined ? {} : { audit: auditJson(audit) }) });
  } else {
    await printFacts(ctx.out, infoFacts(info, ctx.out.pretty));
  }
}

const mint: CommandSpec = {
  name: 'api-keys mint',
  summary: 'Mint an API key for an organization; the key is printed once',
  usage:
    'api-keys mint --org <id> --env <live|test> --name <label> [--scope <s>]… [--expires <date>]',
  description: [
    'Creates a key and prints it once: on a terminal with its details, in a pipe as the key alone on stdout. Only its bcrypt hash is stored; a lost key cannot be shown again, only rotated.',
  ],
  options: {
    ...DB_OPTIONS,
    ...ORG_OPTION,
    env: { type: 'string', value: 'live|test', description: 'The environment the key is for.' },
    name: {
      type: 'string',
      value: 'label',
      description: 'A label for people, e.g. "billing sync (prod)".',
    },
    scope: {
      type: 'string',
      multiple: true,
      value: 'scope',
      description: 'A scope to grant, e.g. events:read (comma-separated lists too).',
    },
    expires: {
      type: 'string',
      value: 'date',
      description: 'When the key stops working (ISO 8601); never by default.',
    },
    ...AUDIT_OPTIONS,
  },
  examples: [
    {
      command:
        'coffer api-keys mint --db ./data/coffer.db --org org_42 --env live --name "acme prod" --scope events:read',
      note: 'Mint a live key with one scope',
    },
    {
      command: 'KEY=$(coffer api-keys mint --org org_42 --env test --name ci --reason "CI-1234")',
      note: 'In a script (COFFER_DB_URL set): stdout is the key alone',
    },
  ],
  run: (ctx) =>
    withAdmin(ctx, async (admin, audit) => {
      const { args } = ctx;
      const env = args.requireString('env');
      if (env !== 'live' && env !== 'test') {
        throw usageError('--env must be live or test.', { option: 'env' });
      }
      const expiresAt = expiry(args);
      const scopes = args.strings('scope');
      const minted = await admin.mint(
        {
          organizationId: args.requireString('org'),
          env,
          name: args.requireString('name'),
          ...(scopes.length === 0 ? {} : { scopes }),
          ...(expiresAt === undefined ? {} : { expiresAt }),
        },
        audit,
      );
      await printMinted(ctx, minted, audit, 'Minted');
      return EXIT_CODES.ok;
    }),
};

const list: CommandSpec = {
  name: 'api-keys list',
  summary: "List an organization's API keys (never their secrets)",
  usage: 'api-keys list --org <id>',
  description: [
    'Every key of the organization, revoked ones included, in key-id order, with the organization and global kill switches. On a terminal a table; in a pipe tab-separated values with a header line.',
  ],
  options: { ...DB_OPTIONS, ...ORG_OPTION },
  examples: [
    {
      command: 'coffer api-keys list --db ./data/coffer.db --org org_42',
      note: 'The keys of org_42',
    },
  ],
  run: (ctx) =>
    withAdmin(ctx, async (admin) => {
      const org = ctx.args.requireString('org');
      const keys: ApiKeyInfo[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await admin.list(org, after);
        keys.push(...page.keys);
        if (page.next === null) break;
        after = page.next;
      }
      const organization = await admin.isKillSwitchOn(org);
      const global = await admin.isKillSwitchOn();
      const { out } = ctx;
      if (out.json) {
        await out.result({ organizationId: org, killSwitches: { organization, global }, keys });
        return EXIT_CODES.ok;
      }
      const header = [
        'KEY ID',
        'NAME',
        'ENV',
        'STATUS',
        'SCOPES',
        'CREATED',
        'LAST USED',
        'EXPIRES',
      ];
      // Every cell comes from the database: cleaned, the name and the rest alike.
      const rows = keys.map((k) => [
        clean(k.keyId),
        clean(k.name),
        clean(k.env),
        clean(k.status),
        clean(k.scopes.join(',')),
        date(k.createdAt),
        date(k.lastUsedAt),
        date(k.expiresAt),
      ]);
      if (!out.pretty) {
        await out.print(
          [header, ...rows].map((r) => r.map((c) => c.replace(/\t/g, ' ')).join('\t')).join('\n'),
        );
        // The table's STATUS is each key's own; a kill switch above it stops them all.
        if (organization)
          out.note('note: the organization kill switch is ON: every key above gets 503');
        if (global) out.note('note: the global kill switch is ON: every key gets 503');
        return EXIT_CODES.ok;
      }
      const s = out.style;
      const widths = header.map((h, i) =>
        Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)),
      );
      const line = (cells: string[]) =>
        cells
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd();
      const switches = [
        organization
          ? s.red(`organization ${clean(org)} is KILLED`)
          : `organization kill switch off`,
        global ? s.red('global kill switch is ON') : 'global kill switch off',
      ];
      await out.print(
        [
          s.bold(line(header)),
          ...rows.map(line),
          '',
          `${keys.length} key${keys.length === 1 ? '' : 's'}; ${switches.join('; ')}`,
        ].join('\n'),
      );
      return EXIT_CODES.ok;
    }),
};

const keyIdPositional = [
  { name: 'keyId', description: 'The key id (16 characters) or its start, lp_live_<key id>.' },
];

const show: CommandSpec = {
  name: 'api-keys show',
  summary: 'Show one API key (never its secret)',
  usage: 'api-keys show <keyId>',
  options: { ...DB_OPTIONS },
  positionals: keyIdPositional,
  examples: [
    {
      command: 'coffer api-keys show --db ./data/coffer.db 01HX9Y6K7EJ4T2AB',
      note: 'One key’s state',
    },
  ],
  run: (ctx) =>
    withAdmin(ctx, async (admin) => {
      await printInfo(ctx, await admin.get(keyIdArgument(ctx.args.positionals[0] as string)));
      return EXIT_CODES.ok;
    }),
};

const rotate: CommandSpec = {
  name: 'api-keys rotate',
  summary: 'Give an API key a new secret (same key id); the new key is printed once',
  usage: 'api-keys rotate <keyId> [--grace <duration>]',
  description: [
    'The old secret stops working at once, or after --grace (e.g. 24h) so clients can switch over.',
  ],
  options: {
    ...DB_OPTIONS,
    grace: {
      type: 'string',
      value: 'duration',
      description:
        'How long the old secret keeps working: 90s, 30m, 12h, 7d, at most 365d (default 0).',
    },
    ...AUDIT_OPTIONS,
  },
  positionals: keyIdPositional,
  examples: [
    {
      command:
        'coffer api-keys rotate --db ./data/coffer.db 01HX9Y6K7EJ4T2AB --grace 24h --reason "yearly rotation"',
      note: 'Rotate with a day of overlap',
    },
  ],
  run: (ctx) =>
    withAdmin(ctx, async (admin, audit) => {
      const keyId = keyIdArgument(ctx.args.positionals[0] as string);
      const minted = await admin.rotate(keyId, gracePeriod(ctx.args), audit);
      await printMinted(ctx, minted, audit, 'Rotated');
      return EXIT_CODES.ok;
    }),
};

const revoke: CommandSpec = {
  name: 'api-keys revoke',
  summary: 'Revoke an API key for good (401 REVOKED from now on)',
  usage: 'api-keys revoke <keyId>',
  options: { ...DB_OPTIONS, ...AUDIT_OPTIONS },
  positionals: keyIdPositional,
  examples: [
    {
      command:
        'coffer api-keys revoke --db ./data/coffer.db 01HX9Y6K7EJ4T2AB --reason "leaked in a log"',
      note: 'Revoke a leaked key',
    },
  ],
  run: (ctx) =>
    withAdmin(ctx, async (admin, audit) => {
      const info = await admin.revoke(keyIdArgument(ctx.args.positionals[0] as string), audit);
      await printInfo(ctx, info, audit);
      return EXIT_CODES.ok;
    }),
};

/** `kill` and `unkill`: one key, an organization (--org) or everything (--global). */
function killSwitch(killed: boolean): CommandSpec {
  const verb = killed ? 'kill' : 'unkill';
  return {
    name: `api-keys ${verb}`,
    summary: killed
      ? 'Turn a kill switch on: one key, an organization (--org) or all keys (--global)'
      : 'Turn a kill switch off: one key, an organization (--org) or all keys (--global)',
    usage: `api-keys ${verb} <keyId> | --org <id> | --global`,
    description: [
      killed
        ? 'Requests with an affected key get 503 KILL_SWITCH until unkill; nothing is deleted. Running verifiers see the change within their state TTL (1 s by default).'
        : 'Undoes kill. A revoked key stays revoked.',
    ],
    options: {
      ...DB_OPTIONS,
      ...ORG_OPTION,
      global: {
        type: 'boolean',
        description: 'The global switch: every key of every organization.',
      },
      ...AUDIT_OPTIONS,
    },
    positionals: [
      { ...keyIdPositional[0], optional: true } as {
        name: string;
        description: string;
        optional: boolean;
      },
    ],
    examples: [
      {
        command: `coffer api-keys ${verb} --db ./data/coffer.db 01HX9Y6K7EJ4T2AB`,
        note: `${killed ? 'Kill' : 'Unkill'} one key`,
      },
      {
        command: `coffer api-keys ${verb} --db ./data/coffer.db --org org_42 --reason "INC-77"`,
        note: `${killed ? 'Kill' : 'Unkill'} every key of an organization`,
      },
    ],
    run: (ctx) =>
      withAdmin(ctx, async (admin, audit) => {
        const { args, out } = ctx;
        const keyText = args.positionals[0];
        const org = args.string('org');
        const global = args.boolean('global');
        const targets = [keyText !== undefined, org !== undefined, global].filter(Boolean).length;
        if (targets !== 1) {
          throw usageError(`Name exactly one target: a <keyId>, --org <id> or --global.`);
        }
        if (keyText !== undefined) {
          const keyId = keyIdArgument(keyText);
          const info = killed ? await admin.kill(keyId, audit) : await admin.unkill(keyId, audit);
          await printInfo(ctx, info, audit);
          return EXIT_CODES.ok;
        }
        if (org !== undefined) {
          await admin.setOrganizationKillSwitch(org, killed, audit);
          // A mistyped id during an incident would "kill" nothing and exit 0: say so.
          if ((await admin.list(org, undefined)).keys.length === 0) {
            out.note(
              `note: organization "${clean(org)}" has no API keys; check the id (its switch is ${killed ? 'on' : 'off'} all the same).`,
            );
          }
        } else {
          await admin.setGlobalKillSwitch(killed, audit);
        }
        const scope = org === undefined ? 'global' : 'organization';
        if (out.json) {
          await out.result({
            scope,
            ...(org === undefined ? {} : { organizationId: org }),
            killed,
            audit: auditJson(audit),
          });
        } else {
          await printFacts(out, [
            ['scope', 'Scope', scope],
            ...(org === undefined
              ? []
              : [['organization_id', 'Organization', clean(org)] as const]),
            [
              'killed',
              'Kill switch',
              out.pretty ? (killed ? out.style.red('ON') : 'off') : String(killed),
            ],
          ]);
        }
        return EXIT_CODES.ok;
      }),
  };
}

function auditLimit(args: Args): number {
  const text = args.string('limit');
  if (text === undefined) return 100;
  const limit = /^[0-9]{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= 1000)) {
    throw usageError('--limit must be a whole number from 1 to 1000.', { option: 'limit' });
  }
  return limit;
}

const audit: CommandSpec = {
  name: 'api-keys audit',
  summary: 'Show the audit trail of key administration, newest first',
  usage: 'api-keys audit [--key <keyId> | --org <id>] [--limit <n>] [--after <cursor>]',
  description: [
    "Every recorded change — mint, import, rotate, revoke, kill, unkill, update and the organization and global switches — with when, who (--actor), why (--reason) and the request id: one key's (--key), one organization's (--org: its keys' and its switch's) or everything. On a terminal a table; in a pipe tab-separated values with a header line. --limit entries at a time (default 100); the next page's cursor is printed after them.",
  ],
  options: {
    ...DB_OPTIONS,
    key: {
      type: 'string',
      value: 'keyId',
      description: "Only this key's entries (its key id or display start).",
    },
    ...ORG_OPTION,
    limit: { type: 'string', value: 'n', description: 'Entries per page, 1-1000 (default 100).' },
    after: {
      type: 'string',
      value: 'cursor',
      description: 'The cursor a previous page printed, for the next (older) page.',
    },
  },
  examples: [
    {
      command: 'coffer api-keys audit --db ./data/coffer.db --key 01HX9Y6K7EJ4T2AB',
      note: 'Who did what to one key',
    },
    {
      command: 'coffer api-keys audit --db ./data/coffer.db --org org_42 --json',
      note: "An organization's trail as JSON",
    },
  ],
  run: (ctx) =>
    withAdmin(ctx, async (admin) => {
      const { args, out } = ctx;
      const keyText = args.string('key');
      const org = args.string('org');
      if (keyText !== undefined && org !== undefined) {
        throw usageError('Name at most one of --key and --org.');
      }
      const after = args.string('after');
      const page = await admin.audit({
        limit: auditLimit(args),
        ...(keyText === undefined ? {} : { keyId: keyIdArgument(keyText) }),
        ...(org === undefined ? {} : { organizationId: org }),
        ...(after === undefined ? {} : { after }),
      });
      if (out.json) {
        await out.result({ entries: page.entries, next: page.next });
        return EXIT_CODES.ok;
      }
      const header = ['TIME', 'TYPE', 'KEY ID', 'ORGANIZATION', 'ACTOR', 'REASON', 'REQUEST ID'];
      // Every cell comes from the database: cleaned, actors and reasons alike.
      const rows = page.entries.map((e: ApiKeyAuditEntry) => [
        date(new Date(e.at)),
        clean(e.type),
        clean(e.keyId ?? ''),
        clean(e.organizationId ?? ''),
        clean(e.actor),
        clean(e.reason ?? ''),
        clean(e.requestId ?? ''),
      ]);
      if (!out.pretty) {
        await out.print(
          [header, ...rows].map((r) => r.map((c) => c.replace(/\t/g, ' ')).join('\t')).join('\n'),
        );
        if (page.next !== null) out.note(`next page: --after ${page.next}`);
        return EXIT_CODES.ok;
      }
      const widths = header.map((h, i) =>
        Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)),
      );
      const line = (cells: string[]) =>
        cells
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd();
      const count = `${rows.length} entr${rows.length === 1 ? 'y' : 'ies'}, newest first`;
      await out.print(
        [
          out.style.bold(line(header)),
          ...rows.map(line),
          '',
          page.next === null ? count : `${count}; older ones: --after ${page.next}`,
        ].join('\n'),
      );
      return EXIT_CODES.ok;
    }),
};

/** The `api-keys` command group. */
export const apiKeysCommands: readonly CommandSpec[] = [
  mint,
  list,
  show,
  rotate,
  revoke,
  killSwitch(true),
  killSwitch(false),
  audit,
];
