// `coffer rewrap`: move every stored value's data key to the primary KEK, with progress, stopping
// cleanly on Ctrl-C. Resumable by construction: the vault scans only rows whose KEK id is not the
// primary's, so the resume position is the data itself; no state file, nothing to clean up.
import type { RewrapProgress } from '@coffer/vault';
import { usageError } from '../cli-error.js';
import type { CommandSpec } from '../command.js';
import { EXIT_CODES } from '../exit-codes.js';
import { count, seconds } from '../format.js';
import { keyringIds, loadKeyring, MASTER_KEY_OPTIONS } from '../master-keys.js';
import { DB_OPTIONS, openDb } from '../open-db.js';
import { openVault } from '../open-vault.js';
import { createProgress, PROGRESS_OPTIONS, progressMode } from '../progress.js';
import { printFacts } from '../report.js';
import { printable } from '../style.js';

const rewrap: CommandSpec = {
  name: 'rewrap',
  summary: 'Move every stored value to the primary master key (resumable, with progress)',
  usage:
    'rewrap --db <url|file> [--master-keys-file <file>] [--batch-size <n>] [--progress <mode>]',
  description: [
    "Runs the vault's rewrapAll: each stored version whose data key is wrapped under another KEK is rewrapped under the keyring's primary KEK (the 32-byte data key only; values are not decrypted). Each row is a check-and-set, so it is safe while the application runs; rows it changed meanwhile are skipped.",
    'Ctrl-C (or SIGTERM) stops after the current batch, prints the summary and exits 130; a second Ctrl-C quits at once (every row written is complete). Run the command again to continue: it picks up exactly the rows not yet under the primary KEK. No state is kept anywhere but in the rows.',
    'The summary lists failed rows by id, version and error code (e.g. UNKNOWN_KEK when the keyring lacks the old key); exit 6 when any failed.',
  ],
  options: {
    ...DB_OPTIONS,
    ...MASTER_KEY_OPTIONS,
    'batch-size': {
      type: 'string',
      value: 'n',
      description: 'Rows per batch, 1-1000 (default 100). Ctrl-C waits for at most one batch.',
    },
    ...PROGRESS_OPTIONS,
  },
  examples: [
    {
      command: 'coffer rewrap --db ./data/coffer.db',
      note: 'After making a new key primary: move every value to it',
    },
    {
      command:
        'coffer rewrap --db postgres://app@db.internal/app --progress plain --json > rewrap.json',
      note: 'From a job runner: progress lines on stderr, the summary as JSON',
    },
  ],
  interruptible: true,
  async run({ args, io, out }) {
    const batchText = args.string('batch-size');
    let batchSize: number | undefined;
    if (batchText !== undefined) {
      batchSize = /^[0-9]{1,4}$/.test(batchText) ? Number(batchText) : Number.NaN;
      if (!(batchSize >= 1 && batchSize <= 1000)) {
        throw usageError('--batch-size must be a whole number from 1 to 1000.', {
          option: 'batch-size',
        });
      }
    }
    const mode = progressMode(args, io.stderr, false, io.env);
    const { keyring, source } = loadKeyring(args, io.env);
    const db = await openDb(args, io.env);
    try {
      const vault = openVault(db.vault, keyring);
      const primary = keyring.primaryKekId;
      const total = await db.countVersionsNotUnder(primary);
      const progress = createProgress({
        label: 'rewrap',
        unit: 'rows',
        mode,
        stream: io.stderr,
        env: io.env,
      });
      if (!out.json || mode !== 'none') {
        progress.log(
          `rewrap: ${count(total)} stored version${total === 1 ? '' : 's'} to move to KEK ${primary} (keyring ${keyringIds(keyring)} from ${source}) in ${db.target.display}`,
        );
      }
      // The first stop request lets the current batch finish: the vault checks its own signal
      // between rows, so it is aborted only at the end of a batch (in onProgress).
      const stop = new AbortController();
      let stopRequested = io.signal.aborted;
      const onStop = (): void => {
        stopRequested = true;
        progress.log(
          'rewrap: stopping after the current batch (Ctrl-C again quits at once; every row written is complete)',
        );
      };
      io.signal.addEventListener('abort', onStop, { once: true });
      if (stopRequested) stop.abort();
      const started = performance.now();
      let result: Awaited<ReturnType<typeof vault.rewrapAll>>;
      try {
        result = await vault.rewrapAll({
          ...(batchSize === undefined ? {} : { batchSize }),
          signal: stop.signal,
          onProgress: (p: RewrapProgress) => {
            progress.update({
              done: p.scanned,
              total: Math.max(total, p.scanned),
              rows: p.scanned,
            });
            if (stopRequested) stop.abort();
          },
        });
      } finally {
        io.signal.removeEventListener('abort', onStop);
      }
      progress.finish();
      const elapsed = seconds(performance.now() - started);
      const aborted = result.aborted;
      const failed = result.failed;
      if (out.json) {
        await out.result({
          ok: !aborted && failed.length === 0,
          database: db.target.display,
          primaryKekId: result.primaryKekId,
          total,
          scanned: result.scanned,
          rewrapped: result.rewrapped,
          skipped: result.skipped,
          failed,
          aborted,
          seconds: elapsed,
        });
      } else {
        const s = out.style;
        const p = out.pretty;
        await printFacts(out, [
          [
            'rewrapped',
            'Rewrapped',
            p
              ? `${count(result.rewrapped)} of ${count(total)} to KEK ${result.primaryKekId} in ${elapsed} s`
              : String(result.rewrapped),
          ],
          [
            'skipped',
            'Skipped',
            p ? `${count(result.skipped)} (changed meanwhile)` : String(result.skipped),
          ],
          [
            'failed',
            'Failed',
            p && failed.length > 0 ? s.red(String(failed.length)) : String(failed.length),
          ],
          ...failed.map(
            (f) => ['failed_row', '  row', printable(`${f.id} v${f.version} ${f.code}`)] as const,
          ),
          ['primary_kek_id', 'Primary KEK', result.primaryKekId],
          [
            'aborted',
            'Stopped early',
            p
              ? aborted
                ? s.yellow('yes: run the same command again to continue')
                : 'no'
              : String(aborted),
          ],
          ...(p ? [] : [['seconds', 'Seconds', String(elapsed)] as const]),
        ]);
      }
      if (aborted) return EXIT_CODES.interrupted;
      return failed.length > 0 ? EXIT_CODES.incomplete : EXIT_CODES.ok;
    } finally {
      await db.close();
    }
  },
};

/** The `rewrap` command. */
export const rewrapCommands: readonly CommandSpec[] = [rewrap];
