// `pnpm bench [filter]`: runs every bench/*.bench.ts (or those whose file name contains the
// filter), prints each figure as it is measured, and writes them all to bench/results/latest.json.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchContext, type BenchEntry, createBenchContext } from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv.slice(2).find((a) => !a.startsWith('-'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filter === undefined || f.includes(filter))
  .sort();

const entries: BenchEntry[] = [];
const ctx = createBenchContext(entries);
console.log(`coffer benchmarks on Node ${process.version}, ${files.length} file(s)\n`);
for (const file of files) {
  console.log(`— ${file}`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as {
    default: (b: BenchContext) => Promise<void>;
  };
  await mod.default(ctx);
  console.log('');
}

const out = join(here, 'results', 'latest.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(entries, null, 2)}\n`);
const judged = entries.filter((e) => 'pass' in e && e.pass !== undefined);
const met = judged.filter((e) => e.pass).length;
console.log(`${met} of ${judged.length} targets met; figures written to ${out}`);
// Benchmarks inform; they do not gate. The process may still hold pools/sockets open in a bench
// that forgot to close them, so exit explicitly.
process.exit(0);
