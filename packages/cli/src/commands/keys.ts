// `coffer keys verify`: do the configured master keys open every stored value?
import { isCofferError } from '@coffer/core';
import type { CommandSpec } from '../command.js';
import { EXIT_CODES } from '../exit-codes.js';
import { loadKeyring, MASTER_KEY_OPTIONS } from '../master-keys.js';
import { DB_OPTIONS, openDb } from '../open-db.js';
import { openVault } from '../open-vault.js';
import { printFacts } from '../report.js';
import { printable } from '../style.js';

/** Errors of verifyKeys that are the check's answer, not a failure to run it. */
const INFRASTRUCTURE = new Set(['INVALID_INPUT', 'STORE_BUSY', 'STORE_OPEN_FAILED']);

const verify: CommandSpec = {
  name: 'keys verify',
  summary: 'Check that the configured master keys open every stored value',
  usage: 'keys verify --db <url|file> [--master-keys-file <file>]',
  description: [
    "Runs the vault's verifyKeys against the database: which key-encryption key (KEK) ids the stored values use, and whether the keyring (COFFER_MASTER_KEYS or --master-keys-file) holds each one, not retired. Also counts the values not yet under the primary key (what a rewrap would move). Exit 0 when the keys open the data, 6 when they do not.",
    'Run it before deploying a new keyring, and before retiring or removing a key.',
  ],
  options: { ...DB_OPTIONS, ...MASTER_KEY_OPTIONS },
  examples: [
    {
      command: 'coffer keys verify --db ./data/coffer.db',
      note: 'Check the keyring in COFFER_MASTER_KEYS against a SQLite database',
    },
    {
      command:
        'coffer keys verify --db postgres://app@db.internal/app --master-keys-file ./keys.env --json',
      note: 'The same on PostgreSQL, keys from a file, as JSON',
    },
  ],
  async run({ args, io, out }) {
    const { keyring, source } = loadKeyring(args, io.env);
    const db = await openDb(args, io.env);
    try {
      const vault = openVault(db.vault, keyring);
      const keys = keyring.list();
      const base = {
        database: db.target.display,
        keyringSource: source,
        keyring: keys,
        primaryKekId: keyring.primaryKekId,
      };
      let result: { kekIds: string[] } | undefined;
      let failure: { code: string; message: string; details: Record<string, unknown> } | undefined;
      try {
        result = await vault.verifyKeys();
      } catch (error) {
        if (!isCofferError(error) || INFRASTRUCTURE.has(error.code)) throw error;
        failure = { code: error.code, message: error.message, details: { ...error.details } };
      }
      const notOnPrimary = await db.countVersionsNotUnder(keyring.primaryKekId);
      const dataKekIds = result?.kekIds ?? null;
      const unused =
        dataKekIds === null ? null : keys.map((k) => k.id).filter((id) => !dataKekIds.includes(id));
      if (out.json) {
        await out.result({
          ok: failure === undefined,
          ...base,
          dataKekIds,
          unusedKekIds: unused,
          versionsNotOnPrimary: notOnPrimary,
          ...(failure === undefined ? {} : { error: failure }),
        });
      } else {
        const s = out.style;
        const p = out.pretty;
        const keyringText = keys.map((k) => `${k.id} (${k.status})`).join(p ? ', ' : ',');
        await printFacts(out, [
          [
            'ok',
            'Result',
            p
              ? failure === undefined
                ? s.green('OK: the keys open every stored value')
                : s.red('FAILED')
              : String(failure === undefined),
          ],
          ...(failure === undefined
            ? []
            : [['error', 'Why', `${failure.code}: ${printable(failure.message)}`] as const]),
          ['database', 'Database', db.target.display],
          ['keyring', 'Keyring', p ? `${keyringText} — from ${source}` : keyringText],
          [
            'data_kek_ids',
            'Data uses KEKs',
            dataKekIds === null
              ? ''
              : dataKekIds.length === 0 && p
                ? '(no values stored)'
                : printable(dataKekIds.join(p ? ', ' : ',')),
          ],
          ...(unused === null || unused.length === 0
            ? []
            : [['unused_kek_ids', 'Unused keys', unused.join(', ')] as const]),
          [
            'versions_not_on_primary',
            'Not on primary',
            p && notOnPrimary > 0 ? `${notOnPrimary} — run coffer rewrap` : String(notOnPrimary),
          ],
        ]);
      }
      return failure === undefined ? EXIT_CODES.ok : EXIT_CODES.incomplete;
    } finally {
      await db.close();
    }
  },
};

/** The `keys` command group. */
export const keysCommands: readonly CommandSpec[] = [verify];
