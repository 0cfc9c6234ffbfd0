// `coffer keygen`: a new master key entry for COFFER_MASTER_KEYS and a new pepper entry for
// COFFER_PII_PEPPER, printed once or written to a new mode-600 file.
import { randomBytes, toBase64Url } from '@coffer/core';
import { formatKekEntry } from '@coffer/envelope';
import { usageError } from '../cli-error.js';
import type { CommandSpec } from '../command.js';
import { EXIT_CODES } from '../exit-codes.js';
import { MASTER_KEYS_VARIABLE } from '../master-keys.js';
import { PEPPER_VARIABLE } from '../open-pii.js';
import { writeNewSecretFile } from '../write-new-file.js';

const KEK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const PEPPER_VERSION = /^[A-Za-z0-9_-]{1,16}$/;

const keygen: CommandSpec = {
  name: 'keygen',
  summary: 'Generate a master key entry and a PII pepper entry, shown once',
  usage:
    'keygen [--id <kek id>] [--active] [--pepper-version <v>] [--only master-key|pepper] [--out <file>]',
  description: [
    `Draws a 32-byte key-encryption key and a 32-byte pepper from the system's CSPRNG and prints them as entries for ${MASTER_KEYS_VARIABLE} ("*<id>:<base64url>") and ${PEPPER_VARIABLE} ("*<version>:<base64url>"). On a terminal they are shown with instructions; in a pipe as two env lines (NAME=value). They are not kept anywhere: store them in your secret manager now.`,
    'With --out, nothing secret is printed: the two env lines go to a new file created with mode 600 (an existing file is never overwritten), usable as --master-keys-file and --pepper-file.',
    'Rotating? Generate the new key with the next id and --active, add it to the keyring, deploy, then make it primary (see docs/rotating-master-keys.md).',
  ],
  options: {
    id: {
      type: 'string',
      value: 'kek id',
      description:
        'The key id written into every value sealed under it (default 1): a number, or 1-32 of A-Z a-z 0-9 . _ -.',
    },
    active: {
      type: 'boolean',
      description: 'Mark the key active (no "*") instead of primary: the first step of a rotation.',
    },
    'pepper-version': {
      type: 'string',
      value: 'v',
      description: 'The pepper version name (default v1): 1-16 of A-Z a-z 0-9 _ -.',
    },
    only: {
      type: 'string',
      value: 'master-key|pepper',
      description: 'Generate only one of the two.',
    },
    out: {
      type: 'string',
      value: 'file',
      description: 'Write the entries to this new file (mode 600) instead of printing them.',
    },
  },
  examples: [
    { command: 'coffer keygen', note: 'A first master key (id 1, primary) and pepper (v1)' },
    {
      command: 'coffer keygen --only master-key --id 2 --active --out ./kek-2.env',
      note: 'The next master key for a rotation, into a new mode-600 file',
    },
  ],
  async run({ args, out }) {
    const id = args.string('id') ?? '1';
    if (!KEK_ID.test(id)) {
      throw usageError(
        '--id must be a number or 1-32 characters of A-Z a-z 0-9 . _ - starting with a letter or digit.',
        { option: 'id' },
      );
    }
    const version = args.string('pepper-version') ?? 'v1';
    if (!PEPPER_VERSION.test(version)) {
      throw usageError('--pepper-version must be 1-16 characters of A-Z a-z 0-9 _ -.', {
        option: 'pepper-version',
      });
    }
    const only = args.string('only');
    if (only !== undefined && only !== 'master-key' && only !== 'pepper') {
      throw usageError('--only must be master-key or pepper.', { option: 'only' });
    }
    const status = args.boolean('active') ? 'active' : 'primary';
    const master = only === 'pepper' ? undefined : formatKekEntry({ id, status }).expose();
    const pepper =
      only === 'master-key' ? undefined : `*${version}:${toBase64Url(randomBytes(32))}`;
    const envLines = [
      ...(master === undefined ? [] : [`${MASTER_KEYS_VARIABLE}=${master}`]),
      ...(pepper === undefined ? [] : [`${PEPPER_VARIABLE}=${pepper}`]),
    ];
    const masterInfo = { id, status, variable: MASTER_KEYS_VARIABLE };
    const pepperInfo = { version, current: true, variable: PEPPER_VARIABLE };

    const file = args.string('out');
    if (file !== undefined) {
      writeNewSecretFile(file, `${envLines.join('\n')}\n`, '--out');
      if (out.json) {
        await out.result({
          file,
          mode: '600',
          ...(master === undefined ? {} : { masterKey: masterInfo }),
          ...(pepper === undefined ? {} : { pepper: pepperInfo }),
        });
      } else {
        const what = [
          master === undefined ? undefined : `a ${status} master key (id ${id})`,
          pepper === undefined ? undefined : `a pepper (version ${version})`,
        ].filter((w) => w !== undefined);
        await out.print(`Wrote ${what.join(' and ')} to ${file} (mode 600).`);
      }
      return EXIT_CODES.ok;
    }

    if (out.json) {
      await out.result({
        ...(master === undefined ? {} : { masterKey: { ...masterInfo, entry: master } }),
        ...(pepper === undefined ? {} : { pepper: { ...pepperInfo, entry: pepper } }),
      });
    } else if (out.pretty) {
      const s = out.style;
      const lines: string[] = [];
      if (master !== undefined) {
        lines.push(
          s.bold(`Master key ${id} (${status}) — an entry for ${MASTER_KEYS_VARIABLE}:`),
          `  ${master}`,
          '',
        );
      }
      if (pepper !== undefined) {
        lines.push(
          s.bold(`PII pepper ${version} (current) — for ${PEPPER_VARIABLE}:`),
          `  ${pepper}`,
          '',
        );
      }
      lines.push(
        s.yellow('Shown once and kept nowhere: put them in your secret manager now.'),
        s.dim(
          `Join master key entries with commas ("*2:…,1:…"); the "*" marks the primary. Never commit them or paste them into tickets.`,
        ),
      );
      await out.print(lines.join('\n'));
    } else {
      await out.print(envLines.join('\n'));
    }
    return EXIT_CODES.ok;
  },
};

/** The `keygen` command. */
export const keygenCommands: readonly CommandSpec[] = [keygen];
